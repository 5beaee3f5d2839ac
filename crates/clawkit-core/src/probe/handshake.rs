//! One real handshake, then `health` and `system.info` when authenticated.

use super::{ProbeRequest, Sent, connection_for};
use crate::error::Error;
use crate::gateway::{Hello, Verdict, connect};
use crate::target::Target;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ProbeOutcome {
    pub url: String,
    pub sent: Sent,
    pub elapsed_ms: u64,
    /// The hello, `health` and `system.info` answers; or the gateway's verdict.
    pub result: Result<Greeted, Verdict>,
}

#[derive(Debug, Clone)]
pub struct Greeted {
    pub hello: Hello,
    pub health: Option<Value>,
    pub system: Option<Value>,
}

pub async fn probe(target: &Target, req: &ProbeRequest) -> Result<ProbeOutcome, Error> {
    // Choosing the connection reads the device state (SQLite): off the runtime.
    let (t, r) = (target.clone(), req.clone());
    let (opts, sent) = crate::blocking::blocking(move || connection_for(&t, &r)).await?;
    let started = std::time::Instant::now();
    let result = match connect(&opts).await {
        Ok(mut conn) => {
            let health = conn.request("health", json!({})).await.ok();
            let system = conn.request("system.info", json!({})).await.ok();
            let hello = conn.hello.clone();
            conn.close().await;
            Ok(Greeted {
                hello,
                health,
                system,
            })
        }
        Err(verdict) => Err(verdict),
    };
    Ok(ProbeOutcome {
        url: opts.url,
        sent,
        elapsed_ms: started.elapsed().as_millis() as u64,
        result,
    })
}
