//! Stack room for deeply nested queries.
//!
//! Parsing, name resolution, plan building and rendering recurse once per
//! bracket or subquery level. Nesting is capped at
//! [`crate::syntax::MAX_NESTING`] levels, but a debug build needs tens of
//! KiB per level, more than a caller's thread may have (2 MiB for spawned
//! threads). Work on a deep query therefore runs on a helper thread whose
//! stack is reserved large enough for the cap, unless the caller's thread
//! has room left for it; shallow queries stay on the caller's thread.

use crate::error::{Error, Result};
use std::cell::Cell;

/// Nesting depth up to which work runs on the caller's thread.
///
/// Measured in a release build (explain, then text and JSON, on a thread
/// of a given stack size): at most 7.5 KiB per level (nested subqueries;
/// brackets, objects and AND chains 2–3 KiB), so 64 levels take under
/// 0.5 MiB, well inside a spawned thread's 2 MiB. A helper thread costs
/// 50–150 µs (spawn, fresh stack pages, a malloc arena), more than
/// planning a typical query, so it is kept for what needs it; an AND of
/// seven comparisons already nests eight deep. Debug builds use about ten
/// times the stack per level.
pub(crate) const INLINE_DEPTH: usize = if cfg!(debug_assertions) { 8 } else { 64 };
/// Stack one level of nesting may take, with room to spare (measured: at
/// most 7.5 KiB in a release build, 20–80 KiB in a debug build).
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) { 96 } else { 12 } * 1024;
/// Stack kept free beyond the levels, for the work around the recursion.
const STACK_RESERVE: usize = 256 * 1024;
/// The helper thread's stack: reserved address space, committed only as
/// it is used.
const DEEP_STACK: usize = 256 * 1024 * 1024;

thread_local! {
    /// Set on helper threads, so nested calls do not spawn again.
    static ON_DEEP_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` on a thread with a deep stack when `depth` exceeds
/// [`INLINE_DEPTH`] and the calling thread's stack has no room for it (and
/// this is not such a thread already), else inline.
/// A panic in `work` propagates to the caller unchanged.
pub(crate) fn with_room_for<T: Send>(
    depth: usize,
    work: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    run(depth, work).unwrap_or(Err(Error::TooMuchNesting))
}

/// Like [`with_room_for`] for work that cannot fail: when no helper thread
/// can be had, it runs inline (the plan was built, so the depth is within
/// the cap).
pub(crate) fn render_with_room<T: Send>(depth: usize, work: impl FnOnce() -> T + Send) -> T {
    match run(depth, work) {
        Ok(out) => out,
        Err(work) => work(),
    }
}

/// Whether the calling thread's stack has room for `depth` levels (a
/// process's main thread usually has 8 MiB: a deep query runs there
/// without a helper thread). Unknown stack bounds count as no room.
fn stack_left_for(depth: usize) -> bool {
    let needed = depth
        .saturating_mul(STACK_PER_LEVEL)
        .saturating_add(STACK_RESERVE);
    stacker::remaining_stack().is_some_and(|left| left >= needed)
}

/// Runs `work` where there is room; hands it back if no thread could be
/// spawned.
fn run<T: Send, W: FnOnce() -> T + Send>(depth: usize, work: W) -> std::result::Result<T, W> {
    if depth <= INLINE_DEPTH || ON_DEEP_STACK.with(Cell::get) || stack_left_for(depth) {
        return Ok(work());
    }
    // The closure is moved into the thread only when spawning works.
    let slot = std::sync::Mutex::new(Some(work));
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("aqlplan-deep".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(s, || {
                ON_DEEP_STACK.with(|f| f.set(true));
                let work = slot
                    .lock()
                    .ok()
                    .and_then(|mut w| w.take())
                    .expect("the work is taken once");
                work()
            });
        match worker {
            Ok(handle) => Ok(handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
            Err(_) => Err(()),
        }
    })
    .map_err(|()| {
        slot.into_inner()
            .ok()
            .flatten()
            .expect("a thread that was not spawned did not take the work")
    })
}
