//! Group-chat robots and HTTP endpoints (ureq with rustls): the summary as each platform's
//! documented message JSON, posted once per attempt; a reply that says the platform
//! refused (企业微信/钉钉 `errcode`, 飞书 `code`) counts as a failure.

use std::time::Duration;

use serde_json::{json, Value};

use super::summary::Summary;
use crate::config::WebhookFormat;

/// The message body for `format`.
pub fn payload(format: WebhookFormat, s: &Summary, files: &[String]) -> Value {
    match format {
        // 企业微信 group robot: {"msgtype":"markdown","markdown":{"content":…}}.
        WebhookFormat::Wecom => json!({
            "msgtype": "markdown",
            "markdown": { "content": s.markdown("**") }
        }),
        // 钉钉 custom robot: {"msgtype":"markdown","markdown":{"title":…,"text":…}}.
        WebhookFormat::Dingtalk => json!({
            "msgtype": "markdown",
            "markdown": { "title": s.title, "text": s.markdown("**") }
        }),
        // 飞书 custom bot, rich text: {"msg_type":"post","content":{"post":{"zh_cn":…}}}.
        WebhookFormat::Feishu => {
            let mut content: Vec<Value> = s
                .lines
                .iter()
                .map(|l| json!([{ "tag": "text", "text": format!("• {l}") }]))
                .collect();
            content.push(json!([{
                "tag": "text",
                "text": format!("{}: 🔴 {} · 🟡 {}", s.alerts_heading, s.red, s.amber)
            }]));
            content.extend(
                s.worst
                    .iter()
                    .map(|w| json!([{ "tag": "text", "text": format!("• {w}") }])),
            );
            let lang = if s.alerts_heading == "Alerts" {
                "en_us"
            } else {
                "zh_cn"
            };
            json!({
                "msg_type": "post",
                "content": { "post": { lang: { "title": s.title, "content": content } } }
            })
        }
        // Slack incoming webhook: {"text": mrkdwn}.
        WebhookFormat::Slack => json!({ "text": s.markdown("*") }),
        WebhookFormat::Json => json!({
            "schema": "salesplan.delivery/1",
            "company": s.company,
            "month": s.month,
            "scope": s.scope,
            "title": s.title,
            "messages": s.lines,
            "headline": s.headline,
            "alerts": { "red": s.red, "amber": s.amber },
            "worst": s.worst,
            "files": files,
        }),
    }
}

/// Posts `body` to `url`; `Err` says why (never the URL, which may hold a key).
pub fn post(url: &str, body: &Value, timeout: Duration) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeout))
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .send(&bytes[..])
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs_f64()),
            e => without_url(&e.to_string(), url),
        })?;
    let status = response.status();
    let reply = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", short(&reply)));
    }
    // 企业微信 and 钉钉 answer 200 with {"errcode": n}, 飞书 with {"code": n}.
    if let Ok(v) = serde_json::from_str::<Value>(&reply) {
        for key in ["errcode", "code", "StatusCode"] {
            if let Some(code) = v.get(key).and_then(Value::as_i64) {
                if code != 0 {
                    let why = ["errmsg", "msg", "StatusMessage"]
                        .iter()
                        .find_map(|k| v.get(*k).and_then(Value::as_str))
                        .unwrap_or("");
                    return Err(format!("the platform refused: {key} {code} {why}"));
                }
            }
        }
    }
    Ok(())
}

fn short(s: &str) -> String {
    s.chars().take(200).collect()
}

/// An error message with the URL, and any part of it after the host (which may hold a
/// key), taken out.
fn without_url(message: &str, url: &str) -> String {
    let mut out = message.replace(url, &crate::config::redact(url));
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    if let Some(at) = after_scheme.find(['/', '?']) {
        let tail = &after_scheme[at..];
        for part in [tail, tail.split('?').nth(1).unwrap_or("")] {
            if part.len() > 1 {
                out = out.replace(part, "/…");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_never_carry_the_key() {
        let url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET";
        for message in [
            format!("connection failed: {url}"),
            "GET /cgi-bin/webhook/send?key=SECRET failed".to_string(),
            "bad query key=SECRET".to_string(),
        ] {
            let shown = super::without_url(&message, url);
            assert!(!shown.contains("SECRET"), "{shown}");
        }
    }
}
