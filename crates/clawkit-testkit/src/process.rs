//! Processes the harness starts, and the guarantee that none outlives the test process.
//!
//! Every child runs in its own process group (its PID is the group id). Dropping a
//! [`Spawned`] sends SIGTERM to that PID, waits, then SIGKILLs the group so helpers the
//! gateway forked go too. Children that are never dropped (shared gateways live in statics)
//! are stopped by an `atexit` hook when the test binary exits normally.

use crate::error::{HarnessError, Result};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// Process groups started by this process and not yet stopped.
static LIVE_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// Scratch directories of things that live until exit (shared gateways), removed after their
/// processes are stopped.
static EXIT_DIRS: Mutex<Vec<std::path::PathBuf>> = Mutex::new(Vec::new());

/// Removes `dir` when the test process exits (after stopping every child).
pub(crate) fn remove_at_exit(dir: &std::path::Path) {
    EXIT_DIRS
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .push(dir.to_path_buf());
}
static ATEXIT: Once = Once::new();

pub(crate) struct Spawned {
    child: Child,
    label: String,
    stopped: bool,
}

impl Spawned {
    pub(crate) fn spawn(mut cmd: Command, label: impl Into<String>) -> Result<Self> {
        let label = label.into();
        ATEXIT.call_once(|| {
            // SAFETY: registering a plain `extern "C" fn` with no captured state.
            unsafe {
                libc::atexit(stop_leftovers_at_exit);
            }
        });
        cmd.process_group(0);
        // If the test process dies without running its exit hook (Ctrl-C, a runner's
        // timeout, SIGKILL), the kernel sends the child SIGTERM. The death signal follows the
        // *thread* that spawned the child, hence the long-lived spawner thread below.
        // Linux only: other Unixes have no parent-death signal (the exit hook still runs).
        // SAFETY: prctl is async-signal-safe and touches only the child being exec'd.
        #[cfg(target_os = "linux")]
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = spawn_from_keeper(cmd)
            .map_err(|e| HarnessError::Setup(format!("could not start {label}: {e}")))?;
        lock_groups().push(child.id() as i32);
        Ok(Spawned {
            child,
            label,
            stopped: false,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has exited (reaps it).
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// SIGTERM the PID, wait up to `grace`, then SIGKILL the whole process group.
    /// Returns how long the process took to exit.
    pub(crate) fn stop(&mut self, grace: Duration) -> Duration {
        let started = Instant::now();
        if self.stopped {
            return Duration::ZERO;
        }
        let pid = self.pid() as i32;
        if self.exited().is_none() {
            // SAFETY: kill(2) on the PID of our own unreaped child.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            while self.exited().is_none() && started.elapsed() < grace {
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        let took = started.elapsed();
        // Whatever is left of the group (the gateway's helpers, or the gateway itself if it
        // ignored SIGTERM) is ours and goes now.
        // SAFETY: kill(2) on the process group we created for this child.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        let _ = self.child.wait();
        lock_groups().retain(|g| *g != pid);
        self.stopped = true;
        if took >= grace {
            eprintln!(
                "clawkit-testkit: {} (pid {pid}) ignored SIGTERM for {grace:?}; killed",
                self.label
            );
        }
        took
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(10));
    }
}

type SpawnJob = (Command, std::sync::mpsc::Sender<std::io::Result<Child>>);

/// Spawns `cmd` from one thread that lives as long as the process, so a child's parent-death
/// signal fires only when the whole test process is gone.
fn spawn_from_keeper(cmd: Command) -> std::io::Result<Child> {
    static KEEPER: std::sync::OnceLock<Mutex<std::sync::mpsc::Sender<SpawnJob>>> =
        std::sync::OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("clawkit-testkit-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("the spawner thread starts");
        Mutex::new(tx)
    });
    let (reply, answer) = std::sync::mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .send((cmd, reply))
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?
}

fn lock_groups() -> std::sync::MutexGuard<'static, Vec<i32>> {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
}

extern "C" fn stop_leftovers_at_exit() {
    let groups: Vec<i32> = std::mem::take(&mut *lock_groups());
    for pid in &groups {
        // SAFETY: kill(2) on process groups this process created and never stopped.
        unsafe { libc::kill(*pid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for pid in &groups {
        loop {
            let mut status = 0;
            // SAFETY: reaping our own child; WNOHANG never blocks.
            let reaped = unsafe { libc::waitpid(*pid, &mut status, libc::WNOHANG) };
            if reaped != 0 || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        // SAFETY: as above, the group we created.
        unsafe { libc::kill(-*pid, libc::SIGKILL) };
    }
    let dirs = std::mem::take(
        &mut *EXIT_DIRS
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()),
    );
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
