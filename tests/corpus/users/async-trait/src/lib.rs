//! async-trait on traits, impls, generic and `?Send` traits, default methods.
use async_trait::async_trait;

/// A store.
#[async_trait]
pub trait Store {
    async fn get(&self, key: &str) -> Option<String>;
    async fn put(&mut self, key: String, value: String) -> bool;
    async fn len(&self) -> usize {
        0
    }
}

/// An in-memory store.
pub struct Memory(pub Vec<(String, String)>);

#[async_trait]
impl Store for Memory {
    async fn get(&self, key: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    async fn put(&mut self, key: String, value: String) -> bool {
        self.0.push((key, value));
        true
    }

    async fn len(&self) -> usize {
        self.0.len()
    }
}

/// A local (non-`Send`) trait with generics and lifetimes.
#[async_trait(?Send)]
pub trait Visit<'a, T: 'a> {
    async fn visit(&self, item: &'a T, depth: usize) -> Result<(), String>;
}

#[async_trait(?Send)]
impl<'a> Visit<'a, u32> for std::rc::Rc<u32> {
    async fn visit(&self, item: &'a u32, depth: usize) -> Result<(), String> {
        if *item + depth as u32 > **self { Err(format!("{item} too deep")) } else { Ok(()) }
    }
}
