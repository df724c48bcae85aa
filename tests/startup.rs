//! Building the application in a process that already serves pages: the integration tests do it
//! all the time (one app per test, tests in parallel), and so would anything that rebuilds the
//! router at run time.

mod support;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use access_tokens::startup;
use reqwest::StatusCode;
use support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

/// Leptos lists an app's routes by rendering it once, and while it does, every resource that
/// starts loading anywhere in the process waits forever (leptos-rs/leptos#4773): a page being
/// served at that moment never finishes. This hung a CI run for an hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_router_never_stalls_a_page_being_rendered() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;

    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let (stop, state, runtime) = (stop.clone(), app.state.clone(), tokio::runtime::Handle::current());
        std::thread::spawn(move || {
            let _inside = runtime.enter();
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                drop(startup::router(state.clone()));
                built += 1;
            }
            built
        })
    };

    for attempt in 0..100 {
        let render = async {
            let response = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        };
        let Ok((status, html)) = tokio::time::timeout(Duration::from_secs(20), render).await else {
            stop.store(true, Ordering::Relaxed);
            panic!("render {attempt} of the Access Tokens page stalled while another router was being built");
        };
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Generate New Token"), "render {attempt} is the whole page: {html}");
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().expect("the builder thread");
    assert!(built > 0, "routers were built while pages rendered");
}
