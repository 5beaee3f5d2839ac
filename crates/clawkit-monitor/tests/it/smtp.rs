//! E-mail to a **real** SMTP server (aiosmtpd from PyPI, installed on first use by
//! clawkit-testkit) that requires a login: the mail arrives with its subject and body, and
//! neither the mail, the server's log nor an error holds the password.

use crate::alert;
use clawkit_monitor::alert::AlertEvent;
use clawkit_monitor::channel::{Channel, SendError};
use clawkit_testkit::{SmtpServer, distinctive_secret};

#[tokio::test(flavor = "multi_thread")]
async fn mail_reaches_a_real_smtp_server_without_the_password() {
    let password = distinctive_secret("smtp");
    let server = SmtpServer::start(Some(("monitor", &password))).unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "mailto://monitor:{password}@127.0.0.1:{}?from=clawkit@example.org&to=ops@example.org,oncall@example.org",
        server.port
    );
    let c = Channel::parse(&url).unwrap();
    assert!(!c.name().contains(&password), "{}", c.name());
    c.send(&alert("mail-1", AlertEvent::Down, "inc-mail"))
        .await
        .unwrap();

    let mails = server.messages();
    assert_eq!(mails.len(), 1, "{mails:#?}\n{}", server.log());
    let m = &mails[0];
    assert_eq!(m["authenticated"], true);
    assert_eq!(m["mail_from"], "clawkit@example.org");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["ops@example.org", "oncall@example.org"])
    );
    let data = m["data"].as_str().unwrap();
    assert!(
        data.contains("Subject: OpenClaw gateway local is down"),
        "{data}"
    );
    assert!(data.contains("gateway local down (test)"), "{data}");
    assert!(
        data.contains("mail-1@clawkit.monitor"),
        "the Message-ID carries the alert id: {data}"
    );
    assert!(!data.contains(&password) && !server.log().contains(&password));

    // A wrong password: a permanent error (535), and it does not echo the password either.
    let wrong = distinctive_secret("wrong");
    let c = Channel::parse(&format!(
        "mailto://monitor:{wrong}@127.0.0.1:{}?from=clawkit@example.org&to=ops@example.org",
        server.port
    ))
    .unwrap();
    let err = c
        .send(&alert("mail-2", AlertEvent::Down, "inc-mail"))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err}");
    assert!(!err.to_string().contains(&wrong), "{err}");
    assert_eq!(server.messages().len(), 1);
}
