//! Delivery (SPEC §7) against real servers started here: an SMTP server built on the
//! `mailin` protocol library receives the mail, a `tiny_http` server the robots' posts; a
//! closed port and a server that never answers stand for the bad days. What a recipient
//! would check: who got it, the subject, both PDFs byte for byte, each platform's JSON.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mail_parser::MimeHeaders;
use serde_json::Value;

use crate::common::*;

/// One mail as the SMTP server received it.
#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// Collects what the `mailin` session hands over.
struct Collect {
    mails: Arc<Mutex<Vec<Mail>>>,
    current: Mail,
}

impl mailin::Handler for Collect {
    fn data_start(&mut self, _: &str, from: &str, _: bool, to: &[String]) -> mailin::Response {
        self.current = Mail {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        self.mails.lock().unwrap().push(self.current.clone());
        mailin::response::OK
    }
}

/// An SMTP server on a free local port: the `mailin` session fed line by line.
fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let shared = mails.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mails = shared.clone();
            std::thread::spawn(move || serve_smtp(stream, mails));
        }
    });
    (port, mails)
}

fn serve_smtp(stream: TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let ip = stream.peer_addr().unwrap().ip();
    let mut out = stream.try_clone().unwrap();
    let mut session = mailin::SessionBuilder::new("test.smtp").build(
        ip,
        Collect {
            mails,
            current: Mail::default(),
        },
    );
    session.greeting().write_to(&mut out).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::Close => {
                let _ = response.write_to(&mut out);
                return;
            }
            mailin::Action::NoReply => {}
            _ => {
                if response.write_to(&mut out).is_err() {
                    return;
                }
            }
        }
    }
}

/// An HTTP server on a free local port that answers every post `reply` and keeps
/// (path, body).
/// Posts received: (path, body).
type Posts = Arc<Mutex<Vec<(String, Value)>>>;

fn http_server(reply: &'static str) -> (u16, Posts) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let posts = Arc::new(Mutex::new(Vec::new()));
    let shared = posts.clone();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
            shared
                .lock()
                .unwrap()
                .push((request.url().to_string(), json));
            let _ = request.respond(tiny_http::Response::from_string(reply));
        }
    });
    (port, posts)
}

/// A port that accepts connections and never answers.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `salesplan` in the sandbox with extra environment variables.
fn salesplan(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_salesplan"));
    c.args(args)
        .current_dir(sb.path())
        .env_remove("SALESPLAN_LOG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("salesplan runs")
}

fn config(sb: &Sandbox, text: &str) {
    std::fs::write(sb.path().join("salesplan.toml"), text).unwrap();
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_run_mails_both_pdfs_and_posts_each_robot_format_once() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    let (smtp, mails) = smtp_server();
    let (http, posts) = http_server(r#"{"errcode":0,"errmsg":"ok"}"#);
    config(
        &sb,
        &format!(
            r#"company = "星河科技"
[[deliver]]
to = ["vp@example.com", "cfo@example.com"]
cc = ["ops@example.com"]
from = "salesplan@example.com"
smtp = "smtp://127.0.0.1:{smtp}"
[[deliver]]
webhook = "http://127.0.0.1:{http}/cgi-bin/webhook/send?key=SECRET-KEY-1"
format = "wecom"
[[deliver]]
webhook = "http://127.0.0.1:{http}/robot/send?access_token=SECRET-KEY-2"
format = "dingtalk"
[[deliver]]
webhook = "http://127.0.0.1:{http}/open-apis/bot/v2/hook/SECRET-KEY-3"
format = "feishu"
[[deliver]]
webhook = "http://127.0.0.1:{http}/services/SECRET-KEY-4"
format = "slack"
[[deliver]]
webhook_env = "SALESPLAN_TEST_HOOK"
format = "json"
"#
        ),
    );
    let hook = format!("http://127.0.0.1:{http}/json/SECRET-KEY-5");
    let out = salesplan(&sb, &["run"], &[("SALESPLAN_TEST_HOOK", hook.as_str())]);
    assert_exit(&out, 0);
    let month = sb.out().join("2026-10");

    // One mail, to each recipient once, with the month in the subject and both PDFs.
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.from.contains("salesplan@example.com"), "{}", mail.from);
    let mut to = mail.to.clone();
    to.sort();
    assert_eq!(to, ["cfo@example.com", "ops@example.com", "vp@example.com"]);
    let parsed = mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a MIME message");
    let subject = parsed.subject().unwrap_or_default();
    assert!(
        subject.contains("2026年10月") && subject.contains("星河科技"),
        "{subject}"
    );
    let text = parsed.body_text(0).unwrap_or_default();
    assert!(text.contains("本月销售额"), "{text}");
    assert!(parsed.body_html(0).unwrap_or_default().contains("<li>"));
    let attachments: Vec<(String, Vec<u8>)> = parsed
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_string(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0].0, "report-2026-10.pdf");
    assert_eq!(attachments[0].1, read(&month.join("report.pdf")));
    assert_eq!(attachments[1].0, "deck-2026-10.pdf");
    assert_eq!(attachments[1].1, read(&month.join("deck.pdf")));

    // One post per robot, each in its platform's documented shape, naming the month.
    let posts = posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 5, "{posts:?}");
    let by = |part: &str| -> &Value {
        &posts
            .iter()
            .find(|(path, _)| path.contains(part))
            .unwrap_or_else(|| panic!("no post to {part}"))
            .1
    };
    let wecom = by("/cgi-bin/webhook/send");
    assert_eq!(wecom["msgtype"], "markdown");
    assert!(wecom["markdown"]["content"]
        .as_str()
        .unwrap()
        .contains("2026年10月"));
    let ding = by("/robot/send");
    assert_eq!(ding["msgtype"], "markdown");
    assert!(ding["markdown"]["title"]
        .as_str()
        .unwrap()
        .contains("2026年10月"));
    assert!(ding["markdown"]["text"]
        .as_str()
        .unwrap()
        .contains("本月销售额"));
    let feishu = by("/open-apis/bot/v2/hook/");
    assert_eq!(feishu["msg_type"], "post");
    let post = &feishu["content"]["post"]["zh_cn"];
    assert!(post["title"].as_str().unwrap().contains("2026年10月"));
    assert_eq!(post["content"][0][0]["tag"], "text");
    let slack = by("/services/");
    assert!(slack["text"].as_str().unwrap().contains("2026年10月"));
    let json = by("/json/");
    assert_eq!(json["month"], "2026-10");
    assert_eq!(json["company"], "星河科技");
    assert!(json["alerts"]["red"].is_u64());
    assert_eq!(json["headline"][0]["figure"], "revenue");
    assert_eq!(json["headline"][0]["value"], 150.0);

    // delivery.json: every entry delivered, no key anywhere.
    let report = std::fs::read_to_string(month.join("delivery.json")).unwrap();
    let d: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(d["channels"].as_array().unwrap().len(), 6);
    assert!(
        d["channels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true),
        "{report}"
    );
    let all = format!("{report}{}", describe(&out));
    assert!(!all.contains("SECRET-KEY"), "a secret leaked:\n{all}");
}

#[test]
fn a_failed_delivery_exits_69_within_its_retries_and_keeps_the_outputs() {
    let sb = Sandbox::new();
    small_orders(&sb.input("orders.xlsx"));
    let silent = silent_server();
    let closed = closed_port();
    config(
        &sb,
        &format!(
            r#"[[deliver]]
to = ["vp@example.com"]
from = "salesplan@example.com"
smtp = "smtp://127.0.0.1:{closed}"
attempts = 3
retry_delay_secs = 0.2
timeout_secs = 1
[[deliver]]
webhook = "http://127.0.0.1:{silent}/hook"
format = "wecom"
attempts = 2
retry_delay_secs = 0.2
timeout_secs = 1
[[deliver]]
to = ["cfo@example.com"]
from = "salesplan@example.com"
smtp = "smtp://127.0.0.1:{silent}"
attempts = 1
timeout_secs = 1
"#
        ),
    );
    let started = Instant::now();
    let out = salesplan(&sb, &["run", "--fail-on", "amber"], &[]);
    // Delivery failed: 69, whatever the alerts say.
    assert_exit(&out, 69);
    assert!(started.elapsed() < Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("delivery of 2026-10 to vp@example.com"),
        "{err}"
    );
    let month = sb.out().join("2026-10");
    for f in [
        "report.pdf",
        "deck.pdf",
        "metrics.json",
        "metrics.xlsx",
        "manifest.json",
    ] {
        assert!(month.join(f).is_file(), "{f} missing");
    }
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(month.join("delivery.json")).unwrap())
            .unwrap();
    let channels = d["channels"].as_array().unwrap();
    assert_eq!(channels[0]["ok"], false);
    assert_eq!(channels[0]["attempts"], 3);
    assert_eq!(channels[1]["ok"], false);
    assert_eq!(channels[1]["attempts"], 2);
    assert_eq!(channels[1]["error"], "no answer within 1 s", "{channels:?}");
    // An SMTP server that never greets: the timeout ends it too.
    assert_eq!(channels[2]["ok"], false);
    assert_eq!(channels[2]["attempts"], 1);
    assert!(channels[0]["error"]
        .as_str()
        .unwrap()
        .contains("Connection refused"));

    // Sending again later, with the SMTP server still down: non-zero within the retries,
    // and the documents unchanged.
    let before: Vec<Vec<u8>> = ["report.pdf", "deck.pdf", "metrics.json", "manifest.json"]
        .iter()
        .map(|f| read(&month.join(f)))
        .collect();
    let started = Instant::now();
    let again = salesplan(&sb, &["deliver", "--month", "2026-10"], &[]);
    assert_exit(&again, 69);
    assert!(started.elapsed() < Duration::from_secs(60));
    let after: Vec<Vec<u8>> = ["report.pdf", "deck.pdf", "metrics.json", "manifest.json"]
        .iter()
        .map(|f| read(&month.join(f)))
        .collect();
    assert!(before == after, "delivery changed the outputs");

    // --no-deliver sends nothing and succeeds.
    std::fs::remove_file(month.join("delivery.json")).unwrap();
    let quiet = salesplan(&sb, &["run", "--no-deliver"], &[]);
    assert_exit(&quiet, 0);
    assert!(!month.join("delivery.json").exists());
}

#[test]
fn each_regional_head_gets_their_own_variant() {
    let sb = Sandbox::new();
    xlsx(
        &sb.input("orders.xlsx"),
        &[(
            "Orders",
            vec![
                vec![
                    S("order_id"),
                    S("order_date"),
                    S("customer_id"),
                    S("region"),
                    S("amount"),
                ],
                vec![S("A1"), D(2026, 10, 1), S("C1"), S("华东"), N(100.0)],
                vec![S("A2"), D(2026, 10, 2), S("C2"), S("华南"), N(50.0)],
            ],
        )],
    );
    let (smtp, mails) = smtp_server();
    config(
        &sb,
        &format!(
            r#"[[deliver]]
to = ["east@example.com"]
from = "salesplan@example.com"
smtp = "smtp://127.0.0.1:{smtp}"
split = "华东"
"#
        ),
    );
    let out = salesplan(&sb, &["run", "--split-by", "region"], &[]);
    assert_exit(&out, 0);
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let parsed = mail_parser::MessageParser::default()
        .parse(&mails[0].data)
        .unwrap();
    assert!(parsed.subject().unwrap_or_default().contains("华东"));
    let variant = sb.out().join("2026-10").join("华东");
    let report = parsed.attachments().next().unwrap();
    assert_eq!(report.contents(), read(&variant.join("report.pdf")));
    assert_ne!(
        report.contents(),
        read(&sb.out().join("2026-10/report.pdf"))
    );

    // A variant the run did not write is a failed entry, said plainly.
    config(
        &sb,
        &format!(
            r#"[[deliver]]
to = ["north@example.com"]
from = "salesplan@example.com"
smtp = "smtp://127.0.0.1:{smtp}"
split = "华北"
attempts = 1
"#
        ),
    );
    let out = salesplan(&sb, &["deliver"], &[]);
    assert_exit(&out, 69);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no variant \"华北\""));
}

#[test]
fn deliver_without_a_finished_month_or_entries_says_so() {
    let sb = Sandbox::new();
    let out = salesplan(&sb, &["deliver"], &[]);
    assert_exit(&out, 66);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no finished month"));
    small_orders(&sb.input("orders.xlsx"));
    assert_exit(&salesplan(&sb, &["run"], &[]), 0);
    let out = salesplan(&sb, &["deliver"], &[]);
    assert_exit(&out, 78);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no [[deliver]] entries"));
    // Credentials in the file are refused before anything runs.
    config(
        &sb,
        r#"[[deliver]]
to = ["vp@example.com"]
from = "s@example.com"
smtp = "smtps://me:hunter2@smtp.example.com"
"#,
    );
    let out = salesplan(&sb, &["run"], &[]);
    assert_exit(&out, 78);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SALESPLAN_SMTP_PASSWORD") && !err.contains("hunter2"),
        "{err}"
    );
    let _ = std::io::stdout().flush();
}
