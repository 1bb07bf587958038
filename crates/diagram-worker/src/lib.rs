//! The time-space diagram's worker as a library: what the page and the worker say to each
//! other ([`protocol`]) and what the worker does with it ([`engine`]), both tested natively.
//! The page links only the protocol; the index, the layout and the SVG writer run in the
//! worker, which the page starts when the diagram is first opened, so none of them is part of
//! the page's first download.
#![forbid(unsafe_code)]

pub mod engine;
pub mod protocol;
