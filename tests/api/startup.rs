//! Building the application in a process that already serves pages: the integration tests do it
//! all the time (one app per test, tests in parallel), and so would anything that rebuilds the
//! router at run time.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use access_tokens::startup;
use leptos::config::LeptosOptions;
use reqwest::{StatusCode, header};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

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

/// `scripts/serve` builds with `--precompress`, which writes `.br` and `.gz` copies of the site's
/// files: each is sent as it is to the browsers that accept it, and never compressed again.
#[tokio::test]
async fn precompressed_site_files_go_to_the_browsers_that_accept_them() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = b"\0asm\x01\0\0\0 the module itself".repeat(100);
    std::fs::write(pkg.join("app.wasm"), &wasm).unwrap();
    // The server does not look inside: recognisable bytes show which file went out.
    std::fs::write(pkg.join("app.wasm.br"), b"the brotli copy").unwrap();
    std::fs::write(pkg.join("app.wasm.gz"), b"the gzip copy").unwrap();
    let site_root = dir.path().join("site").display().to_string();
    let app = TestApp::spawn_configured(Backend::Sqlite, |settings| {
        settings.leptos_options = LeptosOptions::builder().output_name("app").site_root(site_root).build();
    })
    .await;
    let url = app.url("/pkg/app.wasm");

    let client = reqwest::Client::new();
    for (accepted, encoding, body) in [
        ("br, gzip", Some("br"), b"the brotli copy".to_vec()),
        ("gzip, deflate", Some("gzip"), b"the gzip copy".to_vec()),
        ("identity", None, wasm.clone()),
    ] {
        let response = client.get(&url).header(header::ACCEPT_ENCODING, accepted).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm", "{accepted}");
        let sent_as = response.headers().get(header::CONTENT_ENCODING).map(|value| value.to_str().unwrap().to_owned());
        assert_eq!(sent_as.as_deref(), encoding, "{accepted}");
        assert_eq!(response.bytes().await.unwrap().as_ref(), body.as_slice(), "{accepted}");
    }
}

/// The site's files are served from memory under names carrying a hash of their content, which
/// pages use and browsers may keep for a year; the plain names are revalidated.
#[tokio::test]
async fn pages_name_the_site_files_by_their_hash_and_those_are_cached_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // A compressed copy left from an earlier build: older than the file, so never sent for it.
    std::fs::write(pkg.join("app.css.br"), "a stale brotli copy").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(pkg.join("app.css"), "body { color: teal }").unwrap();
    std::fs::write(pkg.join("app.js"), "export default function init() {}").unwrap();
    std::fs::write(pkg.join("app.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("app.d.ts"), "declare const x: number;").unwrap();
    // wasm-bindgen's snippets, which the bundle imports by relative path.
    std::fs::create_dir_all(pkg.join("snippets/dep-1")).unwrap();
    std::fs::write(pkg.join("snippets/dep-1/inline0.js"), "export const x = 1;").unwrap();
    let site_root = dir.path().join("site").display().to_string();
    let app = TestApp::spawn_configured(Backend::Sqlite, |settings| {
        settings.leptos_options = LeptosOptions::builder().output_name("app").site_root(site_root).build();
    })
    .await;
    let html = app.rest.get(app.url("/signin")).send().await.unwrap().text().await.unwrap();
    let named = |pattern: &str| {
        regex::Regex::new(pattern)
            .unwrap()
            .find(&html)
            .unwrap_or_else(|| panic!("{pattern} in {html}"))
            .as_str()
            .to_owned()
    };
    let css = named(r"/pkg/app\.[0-9a-f]{16}\.css");
    let js = named(r"/pkg/app\.[0-9a-f]{16}\.js");
    let wasm = named(r"/pkg/app\.[0-9a-f]{16}(_bg)?\.wasm");

    for (url, content_type) in [(&css, "text/css"), (&js, "text/javascript"), (&wasm, "application/wasm")] {
        let response = app.rest.get(app.url(url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{url}");
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with(content_type), "{url}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
    let fresh = app.rest.get(app.url(&css)).header(header::ACCEPT_ENCODING, "br").send().await.unwrap();
    assert!(fresh.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(fresh.text().await.unwrap(), "body { color: teal }");
    let snippet = app.rest.get(app.url("/pkg/snippets/dep-1/inline0.js")).send().await.unwrap();
    assert_eq!(snippet.status(), StatusCode::OK);
    assert_eq!(snippet.text().await.unwrap(), "export const x = 1;");

    // The plain name: revalidated by its ETag.
    let plain = app.rest.get(app.url("/pkg/app.css")).send().await.unwrap();
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
    let etag = plain.headers()[header::ETAG].clone();
    let again = app.rest.get(app.url("/pkg/app.css")).header(header::IF_NONE_MATCH, etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // Nothing else of the build directory is served, and an unknown name is a 404.
    for missing in ["/pkg/app.d.ts", "/pkg/app.0000000000000000.css", "/pkg/../Cargo.toml"] {
        assert_eq!(app.rest.get(app.url(missing)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{missing}");
    }
}
