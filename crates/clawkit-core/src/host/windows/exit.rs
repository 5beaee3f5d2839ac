//! A process's exit as a future: the process handle is signalled when it exits, and a
//! thread-pool wait (`RegisterWaitForSingleObject`) turns that into a oneshot message, so no
//! thread is held while the gateway runs.

use super::process::open;
use std::os::windows::io::{AsRawHandle, OwnedHandle};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::SYNCHRONIZE;
use windows_sys::Win32::System::Threading::{
    INFINITE, RegisterWaitForSingleObject, UnregisterWaitEx, WT_EXECUTEONLYONCE,
};

type Slot = Mutex<Option<oneshot::Sender<()>>>;

pub struct ExitWait {
    wait: HANDLE,
    slot: *const Slot,
    exited: oneshot::Receiver<()>,
    _process: OwnedHandle,
}

// SAFETY: the wait handle and the slot pointer are only used in `drop`, which unregisters the
// wait (blocking until a running callback returns) before freeing the slot; the slot itself
// is a Mutex.
unsafe impl Send for ExitWait {}
// SAFETY: `&ExitWait` gives access to nothing but the receiver, which is Sync.
unsafe impl Sync for ExitWait {}

impl std::fmt::Debug for ExitWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExitWait")
    }
}

unsafe extern "system" fn fired(slot: *mut core::ffi::c_void, _timed_out: bool) {
    // SAFETY: `slot` is the Arc<Slot> handed over in `open`, alive until `drop` unregisters.
    let slot = unsafe { &*slot.cast::<Slot>().cast_const() };
    if let Some(tx) = slot.lock().ok().and_then(|mut s| s.take()) {
        let _ = tx.send(());
    }
}

impl ExitWait {
    /// `None` when the process is gone or cannot be opened for waiting.
    pub fn open(pid: u32) -> Option<ExitWait> {
        let process = open(pid, SYNCHRONIZE)?;
        let (tx, exited) = oneshot::channel();
        let slot = Arc::into_raw(Arc::new(Mutex::new(Some(tx))));
        let mut wait: HANDLE = std::ptr::null_mut();
        // SAFETY: `process` stays open as long as the wait (it is dropped after it); `slot`
        // stays alive until `drop` reclaims it.
        let ok = unsafe {
            RegisterWaitForSingleObject(
                &mut wait,
                process.as_raw_handle(),
                Some(fired),
                slot.cast_mut().cast(),
                INFINITE,
                WT_EXECUTEONLYONCE,
            )
        };
        if ok == 0 {
            // SAFETY: the wait was not registered; this is the only reference left.
            drop(unsafe { Arc::from_raw(slot) });
            return None;
        }
        Some(ExitWait {
            wait,
            slot,
            exited,
            _process: process,
        })
    }

    /// True when the process exited. Cancel-safe.
    pub async fn exited(&mut self) -> bool {
        (&mut self.exited).await.is_ok()
    }
}

impl Drop for ExitWait {
    fn drop(&mut self) {
        // SAFETY: INVALID_HANDLE_VALUE makes the call wait for a running callback, so the
        // slot is unused once it returns and can be freed.
        unsafe {
            UnregisterWaitEx(self.wait, INVALID_HANDLE_VALUE);
            drop(Arc::from_raw(self.slot));
        }
    }
}
