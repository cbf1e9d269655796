//! `[[deliver]]`: where a finished month's documents go (SPEC §7) — e-mail through an SMTP
//! server, or a group-chat robot / HTTP endpoint. Secrets never come from the file: SMTP
//! credentials are read from the environment when sending, and a webhook URL may be too
//! (`webhook_env`).

use serde::Deserialize;

use crate::error::{Error, Result};

/// One `[[deliver]]` entry as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeliver {
    /// A name for logs and delivery.json (default: the recipients or the format).
    pub name: Option<String>,
    /// E-mail recipients.
    pub to: Option<Vec<String>>,
    pub cc: Option<Vec<String>>,
    pub from: Option<String>,
    /// `smtp://host[:port]` (STARTTLS when offered) or `smtps://host[:port]`.
    pub smtp: Option<String>,
    /// Environment variables holding the SMTP user and password (default
    /// `SALESPLAN_SMTP_USER`, `SALESPLAN_SMTP_PASSWORD`).
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    /// A webhook URL, or the environment variable holding it.
    pub webhook: Option<String>,
    pub webhook_env: Option<String>,
    /// `wecom`, `dingtalk`, `feishu`, `slack` or `json`.
    pub format: Option<String>,
    /// With `--split-by`: the variant this entry sends (its key, e.g. `华东`).
    pub split: Option<String>,
    /// Tries per send (default 3, at most 5).
    pub attempts: Option<u32>,
    /// Seconds before the first retry, doubled after each (default 2, at most 60).
    pub retry_delay_secs: Option<f64>,
    /// Seconds allowed to connect, and for each request (default 20, at most 120).
    pub timeout_secs: Option<f64>,
}

/// A webhook's message format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// 企业微信 group robot: markdown.
    Wecom,
    /// 钉钉 custom robot: markdown.
    Dingtalk,
    /// 飞书 custom bot: rich text (`post`).
    Feishu,
    /// Slack incoming webhook: mrkdwn text.
    Slack,
    /// salesplan's own JSON: the figures, alert counts and worst items.
    Json,
}

impl WebhookFormat {
    pub const NAMES: [&'static str; 5] = ["wecom", "dingtalk", "feishu", "slack", "json"];

    pub fn name(self) -> &'static str {
        match self {
            WebhookFormat::Wecom => "wecom",
            WebhookFormat::Dingtalk => "dingtalk",
            WebhookFormat::Feishu => "feishu",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Json => "json",
        }
    }
}

/// Where an SMTP server is and how the connection is secured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    /// `smtps://`: TLS from the first byte; else STARTTLS when the server offers it.
    pub implicit_tls: bool,
    pub user_env: String,
    pub password_env: String,
}

/// Where a webhook's URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookUrl {
    /// Written in salesplan.toml.
    Literal(String),
    /// Read from this environment variable when sending.
    Env(String),
}

/// Where one entry sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Channel {
    Email {
        to: Vec<String>,
        cc: Vec<String>,
        from: String,
        server: SmtpServer,
    },
    Webhook {
        url: WebhookUrl,
        format: WebhookFormat,
    },
}

/// One resolved `[[deliver]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub name: String,
    pub channel: Channel,
    pub split: Option<String>,
    pub attempts: u32,
    pub retry_delay: std::time::Duration,
    pub timeout: std::time::Duration,
}

/// Validates entry `i` (0-based) of `[[deliver]]`.
pub fn resolve(i: usize, raw: RawDeliver) -> Result<Delivery> {
    let at = format!("[[deliver]] entry {}", i + 1);
    let bad = |m: String| Error::Config(format!("{at}: {m}"));
    let channel = match (&raw.smtp, &raw.webhook, &raw.webhook_env) {
        (Some(smtp), None, None) => {
            let to = raw.to.clone().unwrap_or_default();
            if to.is_empty() {
                return Err(bad("an e-mail entry needs `to = [\"…\"]`".into()));
            }
            let from = raw
                .from
                .clone()
                .ok_or_else(|| bad("an e-mail entry needs `from = \"…\"`".into()))?;
            for address in to.iter().chain(raw.cc.iter().flatten()).chain([&from]) {
                if address.parse::<lettre::Address>().is_err()
                    && address.parse::<lettre::message::Mailbox>().is_err()
                {
                    return Err(bad(format!("{address:?} is not an e-mail address")));
                }
            }
            Channel::Email {
                to,
                cc: raw.cc.clone().unwrap_or_default(),
                from,
                server: smtp_server(smtp, &raw).map_err(bad)?,
            }
        }
        (None, url, env) if url.is_some() != env.is_some() => {
            let format = match raw.format.as_deref() {
                Some("wecom") => WebhookFormat::Wecom,
                Some("dingtalk") => WebhookFormat::Dingtalk,
                Some("feishu") => WebhookFormat::Feishu,
                Some("slack") => WebhookFormat::Slack,
                Some("json") | None => WebhookFormat::Json,
                Some(other) => {
                    return Err(bad(format!(
                        "format {other:?}: expected one of {}",
                        WebhookFormat::NAMES.join(", ")
                    )))
                }
            };
            let url = match (url, env) {
                (Some(u), _) => {
                    if !(u.starts_with("https://") || u.starts_with("http://")) {
                        return Err(bad(format!(
                            "webhook must be an http:// or https:// URL, not {:?}",
                            redact(u)
                        )));
                    }
                    WebhookUrl::Literal(u.clone())
                }
                (None, Some(e)) => WebhookUrl::Env(e.clone()),
                (None, None) => unreachable!("one of them, checked above"),
            };
            Channel::Webhook { url, format }
        }
        _ => {
            return Err(bad(
                "give exactly one of `smtp` (e-mail), `webhook` or `webhook_env`".into(),
            ))
        }
    };
    let attempts = raw.attempts.unwrap_or(3);
    if !(1..=5).contains(&attempts) {
        return Err(bad(format!("attempts must be 1 to 5, not {attempts}")));
    }
    let secs =
        |v: Option<f64>, default: f64, max: f64, what: &str| -> Result<std::time::Duration> {
            let s = v.unwrap_or(default);
            if !(s.is_finite() && s > 0.0 && s <= max) {
                return Err(bad(format!(
                    "{what} must be above 0 and at most {max}, not {s}"
                )));
            }
            Ok(std::time::Duration::from_secs_f64(s))
        };
    let retry_delay = secs(raw.retry_delay_secs, 2.0, 60.0, "retry_delay_secs")?;
    let timeout = secs(raw.timeout_secs, 20.0, 120.0, "timeout_secs")?;
    let name = raw.name.clone().unwrap_or_else(|| match &channel {
        Channel::Email { to, .. } => to.join(", "),
        Channel::Webhook { format, .. } => format.name().to_string(),
    });
    Ok(Delivery {
        name,
        channel,
        split: raw.split,
        attempts,
        retry_delay,
        timeout,
    })
}

/// `smtp://host[:port]` or `smtps://host[:port]`; credentials in the URL are refused.
fn smtp_server(url: &str, raw: &RawDeliver) -> std::result::Result<SmtpServer, String> {
    let (implicit_tls, rest) = if let Some(r) = url.strip_prefix("smtps://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("smtp://") {
        (false, r)
    } else {
        return Err(format!(
            "smtp must start with smtp:// (STARTTLS when offered) or smtps://, not {:?}",
            redact(url)
        ));
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains('@') {
        return Err(
            "smtp must not hold a user or password; set SALESPLAN_SMTP_USER and \
             SALESPLAN_SMTP_PASSWORD in the environment instead"
                .into(),
        );
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("smtp port {p:?} is not a port number"))?,
        ),
        None => (rest, if implicit_tls { 465 } else { 587 }),
    };
    if host.is_empty() || host.contains('/') {
        return Err(format!("smtp {url:?} names no host"));
    }
    Ok(SmtpServer {
        host: host.to_string(),
        port,
        implicit_tls,
        user_env: raw
            .user_env
            .clone()
            .unwrap_or_else(|| "SALESPLAN_SMTP_USER".into()),
        password_env: raw
            .password_env
            .clone()
            .unwrap_or_else(|| "SALESPLAN_SMTP_PASSWORD".into()),
    })
}

/// A URL with everything after its host left out: what logs and delivery.json may show.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    if scheme.is_empty() {
        "(not a URL)".to_string()
    } else {
        format!("{scheme}://{host}/…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(toml_text: &str) -> Result<Delivery> {
        let raw: RawDeliver = toml::from_str(toml_text).unwrap();
        resolve(0, raw)
    }

    #[test]
    fn email_and_webhook_entries() {
        let d = entry(
            r#"to = ["vp@example.com"]
               from = "salesplan@example.com"
               smtp = "smtps://smtp.example.com""#,
        )
        .unwrap();
        match d.channel {
            Channel::Email { server, .. } => {
                assert_eq!(
                    (server.host.as_str(), server.port),
                    ("smtp.example.com", 465)
                );
                assert!(server.implicit_tls);
            }
            other => panic!("{other:?}"),
        }
        let d = entry(
            r#"webhook_env = "WECOM_URL"
                         format = "wecom""#,
        )
        .unwrap();
        assert_eq!(
            d.channel,
            Channel::Webhook {
                url: WebhookUrl::Env("WECOM_URL".into()),
                format: WebhookFormat::Wecom
            }
        );
    }

    #[test]
    fn secrets_and_mistakes_are_refused() {
        let e = entry(
            r#"to = ["vp@example.com"]
               from = "s@example.com"
               smtp = "smtp://me:secret@smtp.example.com""#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("SALESPLAN_SMTP_PASSWORD") && !e.contains("secret"),
            "{e}"
        );
        let e = entry(
            r#"webhook = "https://x" 
                         webhook_env = "Y""#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("exactly one"), "{e}");
        let e = entry(
            r#"webhook = "https://x"
                         format = "teams""#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("wecom, dingtalk, feishu, slack, json"), "{e}");
        assert_eq!(
            redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET"),
            "https://qyapi.weixin.qq.com/…"
        );
    }
}
