//! enum_dispatch: a trait registered by one attribute and used by another.
use enum_dispatch::enum_dispatch;

/// A shape.
#[enum_dispatch]
pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> &'static str {
        "shape"
    }
}

/// A circle.
pub struct Circle {
    pub r: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.14 * self.r * self.r
    }
}

/// A square.
pub struct Square {
    pub side: f64,
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.side * self.side
    }

    fn name(&self) -> &'static str {
        "square"
    }
}

/// All shapes: `Shape` is implemented by dispatching to the variants.
#[enum_dispatch(Shape)]
pub enum AnyShape {
    Circle,
    Square,
}

/// Uses the dispatch.
pub fn total(shapes: &[AnyShape]) -> f64 {
    shapes.iter().map(Shape::area).sum()
}
