//! One component for every part of the page: a part is a props struct with `PartialEq` and a
//! pure `view`, and [`Pure`] redraws it only when its props changed (React's `memo`).
//!
//! Why not one Yew function component per part: Yew instantiates its component machinery
//! (mount, reuse, props update, scheduler runners) for each component type, about 0.6 KB
//! gzipped apiece in this page; ten parts as ten components cost the download 9 KB, as ten
//! parts of one component about 1 KB, with the same skipping of unchanged parts.

use std::any::Any;
use std::rc::Rc;
use yew::prelude::*;

/// A part of the page: its props are the struct itself.
pub trait View: PartialEq + 'static {
    /// What it shows: a pure function of the props.
    fn view(&self) -> Html;
}

/// A [`View`] behind a pointer, compared with another of any type.
trait AnyView {
    fn draw(&self) -> Html;
    fn same(&self, other: &dyn Any) -> bool;
    fn any(&self) -> &dyn Any;
}

impl<T: View> AnyView for T {
    fn draw(&self) -> Html {
        self.view()
    }
    fn same(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>().is_some_and(|o| o == self)
    }
    fn any(&self) -> &dyn Any {
        self
    }
}

/// Props of [`Pure`].
#[derive(Properties, Clone)]
pub struct PureProps {
    part: Rc<dyn AnyView>,
}

impl PartialEq for PureProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.part, &other.part) || self.part.same(other.part.any())
    }
}

/// Draws a part, and skips it on every render whose props equal the last ones.
#[component]
fn Pure(p: &PureProps) -> Html {
    p.part.draw()
}

/// `part` as an element of the page that redraws only when it changed.
pub fn pure<T: View>(part: T) -> Html {
    html! { <Pure part={Rc::new(part) as Rc<dyn AnyView>} /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(PartialEq)]
    struct A(u32);
    impl View for A {
        fn view(&self) -> Html {
            Html::default()
        }
    }
    #[derive(PartialEq)]
    struct B(u32);
    impl View for B {
        fn view(&self) -> Html {
            Html::default()
        }
    }

    fn props<T: View>(t: T) -> PureProps {
        PureProps { part: Rc::new(t) }
    }

    #[test]
    fn a_part_redraws_only_when_its_props_change() {
        assert!(props(A(1)) == props(A(1)));
        assert!(props(A(1)) != props(A(2)));
    }

    #[test]
    fn parts_of_different_kinds_are_never_equal() {
        assert!(props(A(1)) != props(B(1)));
    }
}
