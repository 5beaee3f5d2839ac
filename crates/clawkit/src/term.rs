//! The terminal side of the CLI: whether to colour, the approver that asks on standard input
//! (read on tokio's blocking pool, so an open gateway connection keeps answering pings while
//! a person thinks), and the observer that prints an operation's events as they come.

use clawkit_core::event::{Approver, Ask, Decision, Event, Observer, Question, StepStatus};
use clawkit_core::secret::Redactor;
use futures_util::future::BoxFuture;
use std::io::{IsTerminal, Write};

/// `--color`: auto decides from the actual standard output, `NO_COLOR` and `CLICOLOR_FORCE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub fn enabled(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }
}

/// Whether standard input can answer a question.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks each question on the terminal. `assume_yes` (`--yes`) answers "apply this step"
/// itself; approving a device's request is always asked, and refused without a terminal.
pub struct TerminalApprover {
    pub assume_yes: bool,
    pub interactive: bool,
}

impl Approver for TerminalApprover {
    fn decide<'a>(&'a mut self, q: &'a Question) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            // Granting a device access is never assumed: --approve-repairs says it. Stopping
            // a foreign program was already allowed by --kill-foreign; --yes confirms it.
            let grants_access = matches!(q.ask, Ask::ApproveRequest { .. });
            if self.assume_yes && !grants_access {
                return Decision::Yes;
            }
            if !self.interactive {
                return Decision::No;
            }
            ask(&format!("  {}", q.text)).await
        })
    }
}

/// Prints `question [y/N] `, then reads one line off the runtime. Yes only for y/yes.
pub async fn ask(question: &str) -> Decision {
    {
        let mut out = std::io::stdout();
        let _ = write!(out, "{question} [y/N] ");
        let _ = out.flush();
    }
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await;
    match answer {
        Ok(Ok(line)) if matches!(line.trim(), "y" | "Y" | "yes") => Decision::Yes,
        _ => Decision::No,
    }
}

/// Prints a fix run's events as the doctor always has: each step, its diff, its outcome, and
/// what happened inside a restart. Everything passes through the run's redactor.
pub struct StepPrinter {
    pub redactor: Redactor,
}

impl StepPrinter {
    fn line(&self, text: &str) {
        let _ = writeln!(std::io::stdout(), "{}", self.redactor.redact(text));
    }
}

impl Observer for StepPrinter {
    fn on(&mut self, event: Event) {
        match event {
            Event::StepStarted {
                n,
                total,
                title,
                diff,
                ..
            } => {
                self.line(&format!("step {n}/{total}: {title}"));
                for l in diff.iter().flat_map(|d| d.lines()) {
                    self.line(&format!("    {l}"));
                }
            }
            Event::StepDone {
                status, message, ..
            } => match status {
                StepStatus::Done => self.line(&format!("  done: {message}")),
                StepStatus::Skipped => self.line(&format!("  {message}")),
                // Said once, after the run, with what it means for the steps after it.
                StepStatus::Failed => {}
            },
            Event::Progress { message } => self.line(&format!("    {message}")),
            Event::Verifying { .. } => {}
        }
    }
}

/// Prints each progress message of an operation without steps (a token rotation) as its own
/// line, as it happens.
pub struct ProgressPrinter;

impl Observer for ProgressPrinter {
    fn on(&mut self, event: Event) {
        if let Event::Progress { message } = event {
            let _ = writeln!(std::io::stdout(), "{message}");
        }
    }
}
