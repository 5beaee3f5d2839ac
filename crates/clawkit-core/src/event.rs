//! How an operation talks while it works, without knowing who listens: progress goes out as
//! [`Event`]s to an [`Observer`], decisions come back from an [`Approver`], and a [`Cancel`]
//! token stops it between steps. The CLI prints events and asks on the terminal; the web
//! doctor streams them and answers from the browser; the monitor records them. Events are
//! owned, serializable and already redacted: no sink has to know what a secret is.

use futures_util::future::BoxFuture;
use serde::Serialize;

/// Stops an operation between steps (the browser went away, the monitor shuts down).
pub type Cancel = tokio_util::sync::CancellationToken;

/// Something an operation reports while it works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// Step `n` of `total` begins; `diff` shows the file change it makes (secrets as
    /// fingerprints).
    StepStarted {
        n: usize,
        total: usize,
        kind: String,
        title: String,
        diff: Option<String>,
    },
    /// Step `n` ended.
    StepDone {
        n: usize,
        status: StepStatus,
        message: String,
    },
    /// Progress inside a step: "restart requested", "boot a1 → b7".
    Progress { message: String },
    /// Looking at the gateway again after a change (attempt 1, 2, …).
    Verifying { attempt: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Done,
    Skipped,
    Failed,
}

impl StepStatus {
    pub fn word(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
            StepStatus::Failed => "failed",
        }
    }
}

/// Receives events. Synchronous on purpose: an observer prints, pushes to a channel or
/// appends to a log, and never makes the operation wait.
pub trait Observer: Send {
    fn on(&mut self, event: Event);
}

/// Ignores everything.
pub struct NullObserver;

impl Observer for NullObserver {
    fn on(&mut self, _: Event) {}
}

/// Keeps every event (tests, a run's replay log).
#[derive(Debug, Default)]
pub struct VecObserver(pub Vec<Event>);

impl Observer for VecObserver {
    fn on(&mut self, event: Event) {
        self.0.push(event);
    }
}

/// Forwards events to another task (a server-sent-event stream, the monitor's bus). A gone
/// receiver is not the operation's failure: the event is dropped.
impl Observer for tokio::sync::mpsc::UnboundedSender<Event> {
    fn on(&mut self, event: Event) {
        let _ = self.send(event);
    }
}

/// A decision an operation needs before it acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub ask: Ask,
    /// One line a person can answer.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Ask {
    /// Apply step `n` of a fix plan.
    ApplyStep { n: usize },
    /// Approve a pending pairing (repair) request: it grants a device access.
    ApproveRequest { n: usize },
    /// Stop a process that is not an OpenClaw gateway.
    StopForeign { pid: u32 },
    /// Remove every paired device and pending request.
    ResetPairing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Yes,
    No,
    /// Stop the whole operation here.
    Abort,
}

/// Answers questions. Asynchronous, so a person can take their time while the runtime keeps
/// every open gateway connection answering pings.
pub trait Approver: Send {
    fn decide<'a>(&'a mut self, question: &'a Question) -> BoxFuture<'a, Decision>;
}

/// Says yes to everything (`--yes`, and operations whose caller already confirmed).
pub struct AssumeYes;

impl Approver for AssumeYes {
    fn decide<'a>(&'a mut self, _: &'a Question) -> BoxFuture<'a, Decision> {
        Box::pin(async { Decision::Yes })
    }
}

/// Says no to everything (nobody to ask).
pub struct AssumeNo;

impl Approver for AssumeNo {
    fn decide<'a>(&'a mut self, _: &'a Question) -> BoxFuture<'a, Decision> {
        Box::pin(async { Decision::No })
    }
}

/// Asks another task: each question goes out with a one-shot reply slot (the web doctor
/// answers it from a POST). A dropped reply slot or a closed channel is an abort.
pub struct ChannelApprover {
    pub questions: tokio::sync::mpsc::Sender<(Question, tokio::sync::oneshot::Sender<Decision>)>,
}

impl Approver for ChannelApprover {
    fn decide<'a>(&'a mut self, question: &'a Question) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if self
                .questions
                .send((question.clone(), reply))
                .await
                .is_err()
            {
                return Decision::Abort;
            }
            answer.await.unwrap_or(Decision::Abort)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_a_type_tag() {
        let e = Event::StepDone {
            n: 2,
            status: StepStatus::Skipped,
            message: "skipped".into(),
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"type": "step-done", "n": 2, "status": "skipped", "message": "skipped"})
        );
    }

    #[tokio::test]
    async fn a_channel_approver_gets_its_answer_from_another_task() {
        let (tx, mut rx) =
            tokio::sync::mpsc::channel::<(Question, tokio::sync::oneshot::Sender<Decision>)>(1);
        let answering = tokio::spawn(async move {
            let (q, reply) = rx.recv().await.unwrap();
            let _ = reply.send(if q.ask == Ask::ResetPairing {
                Decision::Yes
            } else {
                Decision::No
            });
        });
        let mut approver = ChannelApprover { questions: tx };
        let q = Question {
            ask: Ask::ResetPairing,
            text: "reset?".into(),
        };
        assert_eq!(approver.decide(&q).await, Decision::Yes);
        answering.await.unwrap();
        // The other side is gone: nobody can say yes.
        assert_eq!(approver.decide(&q).await, Decision::Abort);
    }
}
