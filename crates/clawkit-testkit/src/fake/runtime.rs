//! The one multi-thread tokio runtime every fake gateway in the process runs on. A thousand
//! fakes cost a thousand accept tasks on it, not a thousand OS threads, and the sync test
//! controls work from plain `#[test]`s and from inside `#[tokio::test]`s alike: they hand
//! work to this runtime and wait on a std channel, never with `block_on`.

use std::future::Future;
use std::sync::LazyLock;
use tokio::runtime::{Builder, Handle, Runtime};

const THREAD_NAME: &str = "clawkit-fake-gateway";

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(THREAD_NAME)
        .enable_all()
        .build()
        .expect("the fake gateways' tokio runtime starts")
});

pub(super) fn handle() -> &'static Handle {
    RUNTIME.handle()
}

/// Runs `work` on the shared runtime and waits for its result on the calling thread.
///
/// The caller's thread may belong to another runtime (an async test): waiting on a std
/// channel there is allowed, and the work needs none of that thread's time. Only the shared
/// runtime's own threads must never wait like this, so the fakes' tasks use the async
/// functions directly.
pub(super) fn wait<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    assert!(
        std::thread::current().name() != Some(THREAD_NAME),
        "a fake gateway's sync control was called from the fakes' own runtime"
    );
    let (tx, rx) = std::sync::mpsc::channel();
    handle().spawn(async move {
        let _ = tx.send(work.await);
    });
    rx.recv()
        .expect("the fake gateways' runtime finished a control task")
}
