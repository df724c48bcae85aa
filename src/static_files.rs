//! The site's own files (`/pkg/*`: the stylesheet, the JavaScript and the wasm), served from
//! memory under names that carry a hash of their content.
//!
//! At start the server reads the build's `site-root/pkg` directory once: each file, and the
//! `.br`/`.gz` copies `cargo leptos ... --precompress` writes beside it. Pages name the files as
//! `/pkg/<name>.<hash>.<ext>`, which never change meaning, so they are cached for a year
//! (`immutable`): a new build has new names. The plain names still answer, to be revalidated
//! (`no-cache` and an `ETag`). Serving from memory, without a file system call per request, is
//! what makes these as cheap as `/healthz`; and nothing here is compressed per request.

use std::{collections::HashMap, path::Path, time::SystemTime};

use axum::{
    body::{Body, Bytes},
    extract::{Path as UrlPath, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};

use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// One file, with the encodings it was precompressed in.
#[derive(Clone)]
struct Asset {
    content_type: &'static str,
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    etag: HeaderValue,
    /// Named by its hash: cached for good.
    immutable: bool,
}

/// Marks a response as a static file's, which the compression layer leaves as it is.
#[derive(Clone, Copy)]
pub struct StaticFile;

#[derive(Default)]
pub struct StaticFiles {
    /// By name under `/pkg/`: every file under its plain name, and the page's under their hashed names.
    assets: HashMap<String, Asset>,
    /// The plain name of each file the pages name, and the name they use for it.
    hashed: HashMap<String, String>,
    /// The output name with the hash of the JavaScript and the wasm: leptos builds both of their
    /// names from it (`<name>.js`, `<name>.wasm`).
    bundle: Option<String>,
}

impl StaticFiles {
    /// Reads the site's `pkg` directory; a build not made yet (the Rust tests run before one) is an
    /// empty set of files, and pages then name the plain files.
    pub fn load(options: &LeptosOptions) -> Self {
        let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
        let mut files = StaticFiles::default();
        let mut found: HashMap<String, (Bytes, SystemTime)> = HashMap::new();
        read_dir(&dir, "", &mut found);
        // A compressed copy older than its file is left from an earlier build (a release build
        // with `--precompress`, then a debug one): never send it for the new file.
        let current = |name: &str, copy: &str| match (found.get(name), found.get(copy)) {
            (Some((_, file)), Some((bytes, copied))) if copied >= file => Some(bytes.clone()),
            _ => None,
        };
        let read: HashMap<String, Bytes> =
            found.iter().map(|(name, (bytes, _))| (name.clone(), bytes.clone())).collect();
        for (name, identity) in &read {
            let Some(content_type) = content_type(name) else { continue };
            let asset = |immutable: bool| Asset {
                content_type,
                identity: identity.clone(),
                brotli: current(name, &format!("{name}.br")),
                gzip: current(name, &format!("{name}.gz")),
                etag: HeaderValue::from_str(&format!("\"{}\"", hash(&[identity]))).expect("hex is a header value"),
                immutable,
            };
            files.assets.insert(name.clone(), asset(false));
            if name.ends_with(".css") {
                let hashed = with_hash(name, &hash(&[identity]));
                files.assets.insert(hashed.clone(), asset(true));
                files.hashed.insert(name.clone(), hashed);
            }
        }
        // The JavaScript and the wasm share one name (leptos makes both from the output name).
        let output = options.output_name.as_ref();
        let js = read.get(&format!("{output}.js"));
        let wasm_name =
            [format!("{output}.wasm"), format!("{output}_bg.wasm")].into_iter().find(|name| read.contains_key(name));
        if let (Some(js), Some(wasm_name)) = (js, wasm_name) {
            let bundle = format!("{output}.{}", hash(&[js, &read[&wasm_name]]));
            // (`_bg.wasm` where a build names it so: see leptos' `HydrationScripts`.)
            let aliases = [(format!("{output}.js"), "js"), (wasm_name.clone(), "wasm"), (wasm_name, "_bg.wasm")];
            for (plain, suffix) in aliases {
                let Some(asset) = files.assets.get(&plain) else { continue };
                let hashed = Asset { immutable: true, ..asset.clone() };
                let separator = if suffix.starts_with('_') { "" } else { "." };
                files.assets.insert(format!("{bundle}{separator}{suffix}"), hashed);
            }
            files.bundle = Some(bundle);
        }
        files
    }

    /// No file was read (no build yet, or `cargo leptos watch`): leptos' own file handler serves
    /// them from disk.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    /// The URL pages use for `file` of `pkg` (hashed where it was built).
    pub fn href(&self, file: &str) -> String {
        format!("/pkg/{}", self.hashed.get(file).map_or(file, String::as_str))
    }

    /// The output name pages hand to leptos' hydration scripts, hashed where built.
    pub fn bundle_name(&self) -> Option<&str> {
        self.bundle.as_deref()
    }

    fn answer(&self, name: &str, request: &HeaderMap) -> Option<Response> {
        let asset = self.assets.get(name)?;
        let cache = if asset.immutable { IMMUTABLE } else { REVALIDATE };
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(brotli), _) if accepts(request, "br") => (brotli, Some("br")),
            (_, Some(gzip)) if accepts(request, "gzip") => (gzip, Some("gzip")),
            _ => (&asset.identity, None),
        };
        // One tag per encoding: a shared cache must not answer a client with an encoding it
        // did not ask for.
        let etag = match encoding {
            None => asset.etag.clone(),
            Some(encoding) => {
                let tag = asset.etag.to_str().expect("ours").trim_end_matches('"');
                HeaderValue::from_str(&format!("{tag}-{encoding}\"")).expect("hex is a header value")
            }
        };
        let mut response = if request.get(header::IF_NONE_MATCH) == Some(&etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body = body.clone();
            let mut response = Response::new(Body::from(body));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            if let Some(encoding) = encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(header::ETAG, etag);
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response.extensions_mut().insert(StaticFile);
        Some(response)
    }
}

/// Whether the request accepts `encoding` (and not with `q=0`).
fn accepts(request: &HeaderMap, encoding: &str) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|parameter| {
                parameter.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0)
            });
            coding.eq_ignore_ascii_case(encoding) && !refused
        })
}

/// `GET /pkg/{file}`.
pub async fn serve(State(state): State<AppState>, UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    state
        .static_files
        .answer(&file, &headers)
        .unwrap_or_else(|| (StatusCode::NOT_FOUND, "No such file.").into_response())
}

/// Reads every file under `dir` into `read`, by its path below the `pkg` directory (wasm-bindgen
/// may put JavaScript snippets in subdirectories, which the bundle imports by relative paths).
fn read_dir(dir: &Path, prefix: &str, read: &mut HashMap<String, (Bytes, SystemTime)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else { continue };
        let path = entry.path();
        if path.is_dir() {
            read_dir(&path, &format!("{prefix}{name}/"), read);
        } else if let (Ok(bytes), Ok(modified)) = (std::fs::read(&path), entry.metadata().and_then(|m| m.modified())) {
            read.insert(format!("{prefix}{name}"), (Bytes::from(bytes), modified));
        }
    }
}

fn content_type(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1;
    Some(match extension {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// The first 16 hex digits of the SHA-256 of the parts: enough to tell builds apart.
fn hash(parts: &[&Bytes]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `access-tokens.css` with hash `h`: `access-tokens.h.css`.
fn with_hash(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{hash}.{extension}"),
        None => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_their_extension() {
        assert_eq!(with_hash("access-tokens.css", "0123"), "access-tokens.0123.css");
        assert_eq!(content_type("x.wasm"), Some("application/wasm"));
        assert_eq!(content_type("x.d.ts"), None, "only what pages load is served");
        assert_eq!(hash(&[&Bytes::from_static(b"a")]).len(), 16);
    }

    #[test]
    fn an_encoding_refused_with_q_zero_is_not_accepted() {
        let request = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            headers
        };
        assert!(accepts(&request("gzip, br"), "br"));
        assert!(accepts(&request("br;q=0.5"), "br"));
        assert!(!accepts(&request("br;q=0, gzip"), "br"));
        assert!(accepts(&request("br;q=0, gzip"), "gzip"));
        assert!(!accepts(&request("gzip"), "br"));
    }
}
