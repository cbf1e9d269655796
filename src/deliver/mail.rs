//! E-mail through an SMTP server (lettre): the summary as text and HTML, both PDFs
//! attached. `smtp://` upgrades with STARTTLS when the server offers it; `smtps://` is TLS
//! from the first byte. Credentials come from the environment only.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::summary::Summary;
use crate::config::SmtpServer;

/// A file to attach.
pub struct File<'a> {
    pub name: String,
    pub bytes: &'a [u8],
}

/// The message, ready to send (built once, sent on each attempt).
pub fn message(
    summary: &Summary,
    from: &str,
    to: &[String],
    cc: &[String],
    files: &[File],
) -> Result<Message, String> {
    let mailbox = |a: &str| a.parse::<Mailbox>().map_err(|e| format!("{a:?}: {e}"));
    let mut builder = Message::builder()
        .from(mailbox(from)?)
        .subject(&summary.title);
    for a in to {
        builder = builder.to(mailbox(a)?);
    }
    for a in cc {
        builder = builder.cc(mailbox(a)?);
    }
    let pdf = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let mut body = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
        summary.text(),
        summary.html(),
    ));
    for f in files {
        body = body.singlepart(Attachment::new(f.name.clone()).body(f.bytes.to_vec(), pdf.clone()));
    }
    builder.multipart(body).map_err(|e| e.to_string())
}

/// Sends `message` through `server`, allowing `timeout` to connect and for each command.
pub fn send(message: &Message, server: &SmtpServer, timeout: Duration) -> Result<(), String> {
    let tls = TlsParameters::new(server.host.clone()).map_err(|e| e.to_string())?;
    let mut transport = SmtpTransport::builder_dangerous(&server.host)
        .port(server.port)
        .tls(if server.implicit_tls {
            Tls::Wrapper(tls)
        } else {
            Tls::Opportunistic(tls)
        })
        .timeout(Some(timeout));
    match (
        std::env::var(&server.user_env),
        std::env::var(&server.password_env),
    ) {
        (Ok(user), Ok(password)) => {
            transport = transport.credentials(Credentials::new(user, password));
        }
        (Ok(_), Err(_)) => {
            return Err(format!(
                "{} is set but {} is not",
                server.user_env, server.password_env
            ))
        }
        _ => {}
    }
    transport
        .build()
        .send(message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
