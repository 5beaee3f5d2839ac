//! **Fakes** of the HTTP services the channels talk to (their real services are not reachable
//! here). Each is a tiny HTTP/1.1 server on 127.0.0.1 that records every request and answers
//! as the real service documents it — including its error answer when the request does not
//! match the documented API, so a wrong request fails the send.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// (status, content type, body)
pub type Answer = (u16, &'static str, String);
type Responder = Box<dyn Fn(&Request) -> Answer + Send + Sync>;

pub struct FakeHttp {
    pub port: u16,
    pub service: &'static str,
    requests: Arc<Mutex<Vec<(Request, u16)>>>,
    responder: Arc<Mutex<Responder>>,
    stop: Arc<AtomicBool>,
}

impl FakeHttp {
    pub fn start(
        service: &'static str,
        responder: impl Fn(&Request) -> Answer + Send + Sync + 'static,
    ) -> FakeHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        assert_ne!(port, 18789);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Arc<Mutex<Responder>> = Arc::new(Mutex::new(Box::new(responder)));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, resp, s) = (requests.clone(), responder.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (r, resp) = (r.clone(), resp.clone());
                std::thread::spawn(move || serve(conn, &r, &resp));
            }
        });
        FakeHttp {
            port,
            service,
            requests,
            responder,
            stop,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, responder: impl Fn(&Request) -> Answer + Send + Sync + 'static) {
        *self.responder.lock().unwrap() = Box::new(responder);
    }

    /// Every request so far with the status it was answered.
    pub fn requests(&self) -> Vec<(Request, u16)> {
        self.requests.lock().unwrap().clone()
    }

    /// The one request so far, which must have been accepted.
    pub fn only_accepted(&self) -> Request {
        let all = self.requests();
        assert_eq!(
            all.len(),
            1,
            "{}: expected one request, got {all:#?}",
            self.service
        );
        let (req, status) = all.into_iter().next().unwrap();
        assert!(
            (200..300).contains(&status),
            "{}: answered {status} to {req:#?}",
            self.service
        );
        req
    }
}

impl Drop for FakeHttp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut conn: TcpStream, log: &Mutex<Vec<(Request, u16)>>, responder: &Mutex<Responder>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let req = Request {
        method,
        target,
        headers,
        body,
    };
    let (status, ctype, text) = (responder.lock().unwrap())(&req);
    log.lock().unwrap().push((req, status));
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = conn.write_all(reply.as_bytes());
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn ok_json(body: serde_json::Value) -> Answer {
    (200, "application/json", body.to_string())
}

pub fn status(code: u16, body: &str) -> Answer {
    (code, "text/plain", body.to_string())
}

/// `Content-Type` is JSON and the body parses.
pub fn is_json(req: &Request) -> bool {
    req.header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
        && !req.json().is_null()
}

/// The fake generic JSON webhook: `POST <path>` with the alert's JSON, whose `id` equals the
/// `Idempotency-Key` header and which carries every documented field.
pub fn json_webhook(path: &'static str) -> impl Fn(&Request) -> Answer + Send + Sync {
    move |req| {
        let body = req.json();
        let fields = ["id", "event", "gateway", "url", "at", "summary"];
        if req.method != "POST" || req.target != path {
            return status(404, "not found");
        }
        if !is_json(req) || fields.iter().any(|f| body.get(f).is_none()) {
            return status(400, "missing fields");
        }
        if req.header("idempotency-key") != body["id"].as_str() {
            return status(400, "Idempotency-Key does not match the id");
        }
        ok_json(serde_json::json!({ "ok": true }))
    }
}
