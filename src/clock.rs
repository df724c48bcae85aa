//! Times on the page: "now" as a signal that ticks every second in the browser, and a time shown
//! in the reader's locale with a relative hint ("in 29 days", "3 minutes ago") and the exact UTC
//! time on hover.
//!
//! Ticking is what turns a token Expired the moment it expires and keeps relative hints moving,
//! without a reload. The server renders UTC (it does not know the reader's locale or time zone)
//! relative to the moment it rendered. Hydration must find exactly what the server wrote (it adopts
//! the text without comparing), so the browser first renders the same, against the server's
//! moment, which travels with the data; only then does its own clock take over.

use leptos::prelude::*;
use time::OffsetDateTime;

use crate::timestamp;

/// The page's "now", shared through context by the times and statuses under it.
#[derive(Clone, Copy)]
pub struct Clock {
    /// `None` on the server and while hydrating; the browser's time from then on.
    now: RwSignal<Option<OffsetDateTime>>,
    /// Changes once, not at every tick: what only depends on it is not recomputed each second.
    in_browser: Memo<bool>,
}

impl Clock {
    /// Provides a clock to the calling component and its children; it ticks every second while
    /// the component lives.
    pub fn provide() -> Self {
        let ticking = RwSignal::new(None);
        let clock = Clock { now: ticking, in_browser: Memo::new(move |_| ticking.with(Option::is_some)) };
        provide_context(clock);
        // Effects run only in the browser, after hydration.
        Effect::new(move |_| {
            clock.now.set(Some(now()));
            browser::tick_every_second(move || clock.now.set(Some(now())));
        });
        clock
    }

    pub fn get() -> Self {
        expect_context()
    }

    /// The current time, tracked: whatever reads it is recomputed at each tick. Until the browser's
    /// clock runs, `rendered_at`: the moment the server rendered the data with.
    pub fn now_or(&self, rendered_at: OffsetDateTime) -> OffsetDateTime {
        self.now.get().unwrap_or(rendered_at)
    }

    fn in_browser(&self) -> bool {
        self.in_browser.get()
    }
}

/// A `<time>` element: local date and time, a relative hint below it, the exact UTC on hover.
/// `rendered_at` is the server's moment for the data `at` came with (see [`Clock::now_or`]).
#[component]
pub fn Time(at: OffsetDateTime, rendered_at: OffsetDateTime) -> impl IntoView {
    let clock = Clock::get();
    let shown = move || if clock.in_browser() { browser::local(at) } else { timestamp::short_utc(at) };
    let relative = move || timestamp::relative(at, clock.now_or(rendered_at));
    view! {
        <span class="when">
            <time datetime=timestamp::format(at) title=timestamp::exact_utc(at)>{shown}</time>
            <span class="relative">{relative}</span>
        </span>
    }
}

/// Now, to the millisecond (as timestamps travel), on the server or in the browser.
pub fn now() -> OffsetDateTime {
    #[cfg(feature = "hydrate")]
    let millis = js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    let millis = timestamp::to_millis(OffsetDateTime::now_utc());
    timestamp::from_millis(millis)
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::{prelude::*, wasm_bindgen::JsValue};
    use send_wrapper::SendWrapper;
    use time::OffsetDateTime;

    use crate::timestamp;

    pub fn tick_every_second(tick: impl Fn() + 'static) {
        let interval = SendWrapper::new(gloo_timers::callback::Interval::new(1_000, tick));
        on_cleanup(move || drop(interval.take()));
    }

    /// Date and time as the reader's locale writes them, e.g. "27 Nov 2026, 08:30" or
    /// "Nov 27, 2026, 8:30 AM".
    pub fn local(at: OffsetDateTime) -> String {
        thread_local! {
            static FORMAT: js_sys::Function = {
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
                let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
                // No locales: the browser's own.
                js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
            };
        }
        let date = js_sys::Date::new(&JsValue::from_f64(timestamp::to_millis(at) as f64));
        FORMAT
            .with(|format| format.call1(&JsValue::NULL, &date))
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| timestamp::short_utc(at))
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    use time::OffsetDateTime;

    pub fn tick_every_second(_tick: impl Fn() + 'static) {}

    pub fn local(at: OffsetDateTime) -> String {
        crate::timestamp::short_utc(at)
    }
}
