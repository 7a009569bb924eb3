//! Server-rendered HTML for the sign-in, consent, device and console pages: escaping, the page
//! frame with its small stylesheet, and the headers every page carries. No JavaScript.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use skyledger_types::{Operation, Scopes};

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;color:#1b2430;margin:0}\
main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;\
box-shadow:0 1px 4px #0002}h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}\
input[type=email],input[type=password],input[type=text],input[type=url],select,textarea{width:100%;\
padding:.5rem;box-sizing:border-box;border:1px solid #b8c2cc;border-radius:4px}\
button{padding:.5rem 1.2rem;margin:1rem .5rem 0 0;border:0;border-radius:4px;background:#1f6feb;\
color:#fff;font-size:1rem;cursor:pointer}button.secondary{background:#6b7785}\
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}\
.secret{font-family:monospace;background:#f0f3f6;padding:.2rem .4rem;word-break:break-all}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #e1e6eb;\
vertical-align:top}ul.scopes li{margin:.3rem 0}";

/// A whole page with `status`, the no-cache and framing headers.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t} · Skyledger</title><style>{CSS}</style></head>\
         <body><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// An error page: the spec's error title and what went wrong.
pub(crate) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    page(
        status,
        title,
        &format!("<p class=\"error\">{}</p>", esc(detail)),
    )
}

/// A hidden form field.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

/// What each scope lets an app do, in words.
pub(crate) fn scope_words(scopes: Scopes) -> String {
    let items: String = Operation::ALL
        .into_iter()
        .filter(|op| scopes.allows(*op))
        .map(|op| {
            let words = match op {
                Operation::Read => "View your cloud costs, reports, budgets, accounts and settings",
                Operation::Create => {
                    "Create budgets, reports, checks, cost centers and other items, and run reports"
                }
                Operation::Update => "Change existing budgets, reports and settings",
                Operation::Delete => "Delete items such as budgets and reports",
            };
            format!(
                "<li>{} <small>({})</small></li>",
                esc(words),
                esc(op.scope())
            )
        })
        .collect();
    format!("<ul class=\"scopes\">{items}</ul>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert!(hidden("n", "\"><script>").contains("&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn scopes_are_listed_in_words() {
        let html = scope_words(Scopes::default().with(Operation::Read));
        assert!(html.contains("View your cloud costs"));
        assert!(!html.contains("Delete items"));
    }
}
