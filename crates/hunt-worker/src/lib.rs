//! The bug hunt worker as a library: its message protocol and hunt loop, which natively run
//! as ordinary tests. The `hunt-worker` binary is the thin Web Worker around it.
#![forbid(unsafe_code)]

pub mod hunting;
pub mod pace;
pub mod protocol;
