//! The layer kit: how cache, fallback and migration layers wrap the ports.
//!
//! A layer that changes a few ports replaces just those fields of [`DataAdapters`] and keeps the
//! rest (`DataAdapters { clients, ..inner }`). A layer with one policy for every call, such as
//! "answer reads that miss from elsewhere", implements [`Route`] once and gets every port from
//! [`DataAdapters::routed`]: each method of each port is handed to the route as a [`Call`] (which
//! port, which method, read or write, its arguments) plus a closure that runs it against any
//! port of that type. The route decides where, and how often, to run it.

mod routed;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Result;
use crate::list::{ListPage, ListParams, Pagination};
use crate::ports::DataAdapters;

/// Wraps a set of adapters and returns the same interface: how cache, fallback and
/// migration-proxy layers stack on a storage adapter.
pub trait Layer {
    fn layer(&self, inner: DataAdapters) -> DataAdapters;
}

/// A boxed future, as every port method returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Whether a call only reads, and so may be answered from elsewhere or from memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// One port method call, as a route sees it.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    /// The entity the port stores ("client", "refresh token").
    pub entity: &'static str,
    /// The port method ("get", "find_by_client_id").
    pub operation: &'static str,
    pub access: Access,
    /// A read's arguments, tenant first where it has one; their `Debug` form identifies the
    /// read exactly, which is what a cache keys on. Writes carry none: they move theirs.
    pub arguments: Option<&'a (dyn fmt::Debug + Sync)>,
    /// A list read past its first page (`page` > 0, or a `from` checkpoint): an empty answer
    /// there means the list ended, not that nothing is stored.
    pub later_page: bool,
}

/// What a read's argument says about [`Call::later_page`]: only list parameters say anything.
pub trait CallArgument {
    fn is_later_page(&self) -> bool {
        false
    }
}

impl CallArgument for &str {}
impl CallArgument for Option<&str> {}
impl CallArgument for &[String] {}

impl CallArgument for &ListParams {
    fn is_later_page(&self) -> bool {
        match &self.pagination {
            Pagination::Offset { page, .. } => *page > 0,
            Pagination::Checkpoint(checkpoint) => checkpoint.from.is_some(),
        }
    }
}

impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.entity, self.operation)
    }
}

/// What a read returns, and whether that is a miss (nothing found).
pub trait Answer: Clone + Send + Sync + 'static {
    fn is_miss(&self) -> bool;
}

impl<T: Clone + Send + Sync + 'static> Answer for Option<T> {
    fn is_miss(&self) -> bool {
        self.is_none()
    }
}

impl<T: Clone + Send + Sync + 'static> Answer for Vec<T> {
    fn is_miss(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Clone + Send + Sync + 'static> Answer for ListPage<T> {
    fn is_miss(&self) -> bool {
        self.items.is_empty()
    }
}

/// A policy for every call to ports of type `P` (a port trait object such as
/// `dyn ClientsRepository`). `run` performs the call against whichever port the route picks.
pub trait Route<P: ?Sized + 'static>: Send + Sync + fmt::Debug {
    fn read<'a, T, F>(&'a self, call: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Answer,
        F: Fn(&'a P) -> BoxFuture<'a, Result<T>> + Send + Sync + 'a;

    fn write<'a, T, F>(&'a self, call: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> BoxFuture<'a, Result<T>> + Send + 'a;
}

/// A port of type `P` whose every call goes through the route `R`. Errors come out naming the
/// call (see [`crate::Error::during`]).
pub struct Routed<P: ?Sized, R> {
    route: R,
    port: PhantomData<fn() -> Box<P>>,
}

impl<P: ?Sized, R> Routed<P, R> {
    pub fn new(route: R) -> Self {
        Self {
            route,
            port: PhantomData,
        }
    }
}

impl<P: ?Sized, R: fmt::Debug> fmt::Debug for Routed<P, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.route.fmt(f)
    }
}

/// Builds one route per port, for [`DataAdapters::routed`]. `port` picks the port being routed
/// out of any set of adapters, so a route can hold the same port of several sets (a fallback's
/// primary and secondary).
pub trait RouteEveryPort {
    type Route<P: ?Sized + Send + Sync + fmt::Debug + 'static>: Route<P> + 'static;

    fn route<P: ?Sized + Send + Sync + fmt::Debug + 'static>(
        &self,
        entity: &'static str,
        port: fn(&DataAdapters) -> &Arc<P>,
    ) -> Self::Route<P>;
}

/// The route that runs every call on one port as it is: what [`DataAdapters::named`] uses.
pub struct Forward<P: ?Sized>(pub Arc<P>);

impl<P: ?Sized + fmt::Debug> fmt::Debug for Forward<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<P: ?Sized + Send + Sync + fmt::Debug + 'static> Route<P> for Forward<P> {
    fn read<'a, T, F>(&'a self, _: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Answer,
        F: Fn(&'a P) -> BoxFuture<'a, Result<T>> + Send + Sync + 'a,
    {
        run(&self.0)
    }

    fn write<'a, T, F>(&'a self, _: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> BoxFuture<'a, Result<T>> + Send + 'a,
    {
        run(&self.0)
    }
}

struct ForwardEveryPort<'a>(&'a DataAdapters);

impl RouteEveryPort for ForwardEveryPort<'_> {
    type Route<P: ?Sized + Send + Sync + fmt::Debug + 'static> = Forward<P>;

    fn route<P: ?Sized + Send + Sync + fmt::Debug + 'static>(
        &self,
        _: &'static str,
        port: fn(&DataAdapters) -> &Arc<P>,
    ) -> Forward<P> {
        Forward(port(self.0).clone())
    }
}

impl DataAdapters {
    /// The same ports, each of whose errors names the call it came from.
    pub fn named(&self) -> DataAdapters {
        DataAdapters::routed(&ForwardEveryPort(self))
    }
}
