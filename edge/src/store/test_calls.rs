//! The test build's calls into the store (the `fault-injection` feature; see `crate::switches`).

use super::layout;
use super::object::PageStore;
use super::protocol::TestCall;
use crate::clock::now_ms;
use crate::error::EdgeError;

impl PageStore {
    pub(super) async fn test(&self, call: TestCall) -> Result<serde_json::Value, EdgeError> {
        match call {
            TestCall::FailKvPuts { for_ms } => {
                self.publication.kv_fails_until.set(now_ms() + for_ms);
                if for_ms == 0 {
                    self.schedule(0).await;
                }
                Ok(serde_json::Value::Null)
            }
            TestCall::FailPauses { for_ms } => {
                self.pauses_fail_until.set(now_ms() + for_ms);
                Ok(serde_json::Value::Null)
            }
            TestCall::Keys { prefix } => Ok(serde_json::json!(layout::keys(&self.state.storage(), &prefix).await?)),
            TestCall::Outbox => {
                self.relay_all().await?;
                crate::delivery::test_call(&self.env, crate::delivery::protocol::DeliveryTest::Outbox).await
            }
            TestCall::Stats => {
                let version = self.load().await.map(|l| l.version).unwrap_or(0);
                Ok(serde_json::json!({
                    "version": version,
                    "published": self.publication.published.get(),
                    "renders": self.publication.renders.get(),
                    "beats": self.publication.beats.get(),
                    "last_beat": self.publication.last_beat.get(),
                    "pending": self.state.storage().get::<String>(&layout::Key::Pending.text()).await?.is_some(),
                }))
            }
        }
    }
}
