//! The test build's calls into the delivery object (the `fault-injection` feature).

use sitrep_shared::notify::{Event, OUTBOX_PREFIX};

use super::object::DeliveryStore;
use super::protocol::DeliveryTest;
use crate::error::EdgeError;
use crate::storage::{from_json, keys, values};

impl DeliveryStore {
    pub(super) async fn test(&self, call: DeliveryTest) -> Result<serde_json::Value, EdgeError> {
        let storage = self.state.storage();
        match call {
            DeliveryTest::Outbox => {
                let events: Vec<Event> = values(&storage, OUTBOX_PREFIX)
                    .await?
                    .iter()
                    .map(|text| from_json(text))
                    .collect::<Result<_, _>>()?;
                Ok(serde_json::json!(events))
            }
            DeliveryTest::Keys { prefix } => Ok(serde_json::json!(keys(&storage, &prefix).await?)),
            DeliveryTest::GiveUpAfter { ms } => {
                self.give_up_after.set((ms > 0).then_some(ms));
                Ok(serde_json::Value::Null)
            }
        }
    }
}
