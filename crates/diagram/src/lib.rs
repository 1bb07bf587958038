//! The time-space diagram: one lane per node with time running down, each message an arrow
//! from its send to its delivery (or a cross where it died), crashes cutting lanes, partitions
//! shaded across the lanes they separate. Papers and lectures draw it by hand (Lamport 1978,
//! Fig. 1); here it is read from the run's trace, so the page, its exports and
//! `splitbrain diagram` draw the same picture from the same code.
//!
//! - [`model`]: a bounded index of the trace (arrows, lane outages, partitions, marks), fed
//!   incrementally and cut back when the run branches.
//! - [`causal`]: happened-before over its events, by graph search.
//! - [`scale`]: virtual time to height, true or with quiet stretches collapsed.
//! - [`draw`]: the shapes of one window of the diagram; [`svg`] writes them out.

#![forbid(unsafe_code)]

pub mod causal;
pub mod draw;
pub mod model;
pub mod scale;
pub mod svg;

pub use causal::{Causality, Relation};
pub use draw::{Label, Options, Picture, draw};
pub use model::{Arrow, Diagram, Fate, Mark, MarkKind, PointId};
pub use scale::Scale;
pub use svg::{SvgStyle, to_svg};

#[cfg(test)]
mod testing;
