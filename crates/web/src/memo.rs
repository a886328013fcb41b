//! The JSON of the views the service shares. While nothing is written the service hands out the
//! very same view (one `Arc`) to every caller, so the bytes made from it the first time are
//! served again; after a write it hands out a new one and the bytes are made afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Serialised views by the address of the view they were made from. The `Weak` keeps that
/// address from being reused by another view while the entry exists.
pub struct JsonMemo<T> {
    entries: Mutex<HashMap<usize, (Weak<T>, Bytes)>>,
}

/// Entries beyond this many are dropped wholesale (each new data version adds one per view).
const MAX_ENTRIES: usize = 64;

impl<T: Serialize> JsonMemo<T> {
    pub fn new() -> Self {
        JsonMemo { entries: Mutex::new(HashMap::new()) }
    }

    /// The view as a JSON response, serialised once per view.
    pub fn respond(&self, view: &Arc<T>) -> Response {
        let at = Arc::as_ptr(view) as usize;
        let kept = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&at).map(|(_, b)| b.clone());
        let bytes = match kept {
            Some(b) => b,
            None => {
                let b = match serde_json::to_vec(&**view) {
                    Ok(v) => Bytes::from(v),
                    Err(e) => return crate::error::WebError::internal(format!("serialising a view: {e}")).into_response(),
                };
                let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
                entries.insert(at, (Arc::downgrade(view), b.clone()));
                b
            }
        };
        ([(CONTENT_TYPE, "application/json")], bytes).into_response()
    }
}

/// The memos of the views the API serves most.
pub struct Memos {
    pub cockpit: JsonMemo<service::Cockpit>,
    pub progress: JsonMemo<Vec<domain::ProgressRow>>,
    pub dispatch: JsonMemo<service::Dispatch>,
    pub tickets: JsonMemo<Vec<service::TicketRow>>,
}

impl Memos {
    pub fn new() -> Arc<Memos> {
        Arc::new(Memos {
            cockpit: JsonMemo::new(),
            progress: JsonMemo::new(),
            dispatch: JsonMemo::new(),
            tickets: JsonMemo::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> String {
        String::from_utf8(axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap()
    }

    /// A view that counts how often it is written out.
    struct Counted(u32, std::sync::atomic::AtomicUsize);

    impl Serialize for Counted {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            s.serialize_u32(self.0)
        }
    }

    fn writes(v: &Counted) -> usize {
        v.1.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[tokio::test]
    async fn the_same_view_is_written_once_and_a_new_view_afresh() {
        let memo: JsonMemo<Counted> = JsonMemo::new();
        let v1 = Arc::new(Counted(1, Default::default()));
        assert_eq!(body(memo.respond(&v1)).await, "1");
        assert_eq!(body(memo.respond(&v1)).await, "1");
        assert_eq!(writes(&v1), 1, "served again from the bytes");
        // A new view after a write: its own bytes, even if the old one is gone.
        drop(v1);
        let v2 = Arc::new(Counted(2, Default::default()));
        assert_eq!(body(memo.respond(&v2)).await, "2");
        assert_eq!(writes(&v2), 1);
        let r = memo.respond(&v2);
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    }
}
