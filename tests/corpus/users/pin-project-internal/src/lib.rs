//! pin-project on structs, enums, tuple structs, with `PinnedDrop` and `project_replace`.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project::{pin_project, pinned_drop};

/// A future with a deadline counter.
#[pin_project]
pub struct Counted<F> {
    #[pin]
    inner: F,
    polls: usize,
}

impl<F: Future> Future for Counted<F> {
    type Output = (F::Output, usize);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        *this.polls += 1;
        match this.inner.poll(cx) {
            Poll::Ready(v) => Poll::Ready((v, *this.polls)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// An enum projection.
#[pin_project(project = EitherProj, project_ref = EitherRef)]
pub enum Either<A, B> {
    Left(#[pin] A),
    Right(#[pin] B),
    Neither,
}

/// A tuple struct with a drop hook.
#[pin_project(PinnedDrop)]
pub struct Guarded<T>(#[pin] T, pub Vec<u8>);

#[pinned_drop]
impl<T> PinnedDrop for Guarded<T> {
    fn drop(self: Pin<&mut Self>) {
        self.project().1.clear();
    }
}

/// `project_replace`.
#[pin_project(project_replace)]
pub struct Slot<T> {
    #[pin]
    value: Option<T>,
}
