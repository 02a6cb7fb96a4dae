//! The write API's routes under `/api/v2/admin/` (pure, host-tested): which operation a method and
//! path name, and which methods a path allows. The worker checks auth and limits and forwards;
//! the store (the single writer) dispatches with the same table.

/// One admin operation, with the ids from its path. It crosses to the store as itself (serde).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Admin {
    /// `PUT page`: replace the whole page.
    ImportPage,
    /// `POST incidents`.
    OpenIncident,
    /// `PATCH incidents/{id}` or `maintenances/{id}`.
    Edit(String),
    /// `GET incidents/{id}` or `maintenances/{id}`: the stored event, its draft included (the
    /// public copies can lag a write by a minute; the operator tool checks against this).
    GetEvent(String),
    /// `POST incidents/{id}/updates` or `maintenances/{id}/updates`.
    PostUpdate(String),
    /// `PUT incidents/{id}/postmortem`.
    WritePostmortem(String),
    /// `POST incidents/{id}/postmortem/publish`.
    PublishPostmortem(String),
    /// `GET incidents/{id}/postmortem/preview`: the incident page with the draft, as readers
    /// will see it once published.
    PreviewPostmortem(String),
    /// `POST maintenances`.
    ScheduleMaintenance,
    /// `POST maintenances/{id}/cancel`.
    CancelMaintenance(String),
    /// `POST components`.
    CreateComponent,
    /// `PATCH components/{id}`.
    EditComponent(String),
    /// `PUT components/order`.
    ReorderComponents,
    /// `POST subscriptions`: a receiver of events; its secret is in this answer only.
    CreateSubscription,
    /// `GET subscriptions`.
    ListSubscriptions,
    /// `PATCH subscriptions/{id}`: pause, resume, change the filters.
    EditSubscription(String),
    /// `DELETE subscriptions/{id}`.
    DeleteSubscription(String),
    /// `GET subscriptions/{id}/deliveries`: its recent deliveries and what they came to.
    ListDeliveries(String),
    /// `POST subscriptions/{id}/deliveries/{delivery}/replay`: send an event again.
    ReplayDelivery(String, String),
    /// `GET log`: the audit log.
    Log,
    /// `GET openapi.json`: the API description (no token needed).
    OpenApi,
}

impl Admin {
    /// Whether it changes the page.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Self::Log
                | Self::OpenApi
                | Self::PreviewPostmortem(_)
                | Self::GetEvent(_)
                | Self::ListSubscriptions
                | Self::ListDeliveries(_)
        )
    }

    /// Largest body it takes (from `sitrep_shared::limits`, where they agree with the field rules).
    pub fn max_body(&self) -> usize {
        use sitrep_shared::limits;
        match self {
            Self::ImportPage => limits::IMPORT_BYTES,
            Self::WritePostmortem(_) => limits::POSTMORTEM_REQUEST_BYTES,
            _ => limits::REQUEST_BYTES,
        }
    }

    /// Whether it creates something (answers 201).
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Self::OpenIncident | Self::ScheduleMaintenance | Self::CreateComponent | Self::CreateSubscription
        )
    }

    /// Whether it takes a JSON body.
    pub fn takes_body(&self) -> bool {
        !matches!(
            self,
            Self::PublishPostmortem(_)
                | Self::Log
                | Self::OpenApi
                | Self::PreviewPostmortem(_)
                | Self::GetEvent(_)
                | Self::ListSubscriptions
                | Self::DeleteSubscription(_)
                | Self::ListDeliveries(_)
                | Self::ReplayDelivery(..)
        )
    }
}

/// Every admin route as (method, path pattern), for the OpenAPI document and its test.
pub const ROUTES: [(&str, &str); 24] = [
    ("PUT", "/api/v2/admin/page"),
    ("POST", "/api/v2/admin/incidents"),
    ("GET", "/api/v2/admin/incidents/{id}"),
    ("PATCH", "/api/v2/admin/incidents/{id}"),
    ("POST", "/api/v2/admin/incidents/{id}/updates"),
    ("PUT", "/api/v2/admin/incidents/{id}/postmortem"),
    ("POST", "/api/v2/admin/incidents/{id}/postmortem/publish"),
    ("GET", "/api/v2/admin/incidents/{id}/postmortem/preview"),
    ("POST", "/api/v2/admin/maintenances"),
    ("GET", "/api/v2/admin/maintenances/{id}"),
    ("PATCH", "/api/v2/admin/maintenances/{id}"),
    ("POST", "/api/v2/admin/maintenances/{id}/updates"),
    ("POST", "/api/v2/admin/maintenances/{id}/cancel"),
    ("POST", "/api/v2/admin/components"),
    ("PATCH", "/api/v2/admin/components/{id}"),
    ("PUT", "/api/v2/admin/components/order"),
    ("POST", "/api/v2/admin/subscriptions"),
    ("GET", "/api/v2/admin/subscriptions"),
    ("PATCH", "/api/v2/admin/subscriptions/{id}"),
    ("DELETE", "/api/v2/admin/subscriptions/{id}"),
    ("GET", "/api/v2/admin/subscriptions/{id}/deliveries"),
    ("POST", "/api/v2/admin/subscriptions/{id}/deliveries/{delivery}/replay"),
    ("GET", "/api/v2/admin/log"),
    ("GET", "/api/v2/admin/openapi.json"),
];

/// Why a method and path name no operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// No such path.
    NotFound,
    /// The path exists; these methods are allowed.
    Method(&'static str),
}

fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The operation `method` on `path` (the part after `/api/v2/admin/`) names.
pub fn route(method: &str, path: &str) -> Result<Admin, Miss> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let id = |n: usize| parts.get(n).filter(|p| is_id(p)).map(|p| (*p).to_owned());
    let (allow, found): (&'static str, Option<Admin>) = match parts.as_slice() {
        ["page"] => ("PUT", (method == "PUT").then_some(Admin::ImportPage)),
        ["incidents"] => ("POST", (method == "POST").then_some(Admin::OpenIncident)),
        ["maintenances"] => ("POST", (method == "POST").then_some(Admin::ScheduleMaintenance)),
        ["components"] => ("POST", (method == "POST").then_some(Admin::CreateComponent)),
        ["components", "order"] => ("PUT", (method == "PUT").then_some(Admin::ReorderComponents)),
        ["log"] => ("GET", (method == "GET").then_some(Admin::Log)),
        ["subscriptions"] => {
            let found = match method {
                "POST" => Some(Admin::CreateSubscription),
                "GET" => Some(Admin::ListSubscriptions),
                _ => None,
            };
            ("GET, POST", found)
        }
        ["subscriptions", _] if id(1).is_some() => {
            let found = match method {
                "PATCH" => Some(Admin::EditSubscription(id(1).unwrap_or_default())),
                "DELETE" => Some(Admin::DeleteSubscription(id(1).unwrap_or_default())),
                _ => None,
            };
            ("PATCH, DELETE", found)
        }
        ["subscriptions", _, "deliveries"] if id(1).is_some() => {
            ("GET", (method == "GET").then(|| Admin::ListDeliveries(id(1).unwrap_or_default())))
        }
        ["subscriptions", _, "deliveries", _, "replay"] if id(1).is_some() && id(3).is_some() => {
            let replay = || Admin::ReplayDelivery(id(1).unwrap_or_default(), id(3).unwrap_or_default());
            ("POST", (method == "POST").then(replay))
        }
        ["openapi.json"] => ("GET", (method == "GET").then_some(Admin::OpenApi)),
        ["incidents" | "maintenances", _] if id(1).is_some() => {
            let found = match method {
                "GET" => Some(Admin::GetEvent(id(1).unwrap_or_default())),
                "PATCH" => Some(Admin::Edit(id(1).unwrap_or_default())),
                _ => None,
            };
            ("GET, PATCH", found)
        }
        ["incidents" | "maintenances", _, "updates"] if id(1).is_some() => {
            ("POST", (method == "POST").then(|| Admin::PostUpdate(id(1).unwrap_or_default())))
        }
        ["maintenances", _, "cancel"] if id(1).is_some() => {
            ("POST", (method == "POST").then(|| Admin::CancelMaintenance(id(1).unwrap_or_default())))
        }
        ["incidents", _, "postmortem"] if id(1).is_some() => {
            ("PUT", (method == "PUT").then(|| Admin::WritePostmortem(id(1).unwrap_or_default())))
        }
        ["incidents", _, "postmortem", "publish"] if id(1).is_some() => {
            ("POST", (method == "POST").then(|| Admin::PublishPostmortem(id(1).unwrap_or_default())))
        }
        ["incidents", _, "postmortem", "preview"] if id(1).is_some() => {
            ("GET", (method == "GET").then(|| Admin::PreviewPostmortem(id(1).unwrap_or_default())))
        }
        ["components", _] if id(1).is_some() => {
            ("PATCH", (method == "PATCH").then(|| Admin::EditComponent(id(1).unwrap_or_default())))
        }
        _ => return Err(Miss::NotFound),
    };
    found.ok_or(Miss::Method(allow))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_name_operations() {
        assert_eq!(route("POST", "incidents"), Ok(Admin::OpenIncident));
        assert_eq!(route("POST", "incidents/abc/updates"), Ok(Admin::PostUpdate("abc".into())));
        assert_eq!(route("POST", "maintenances/m-1/updates"), Ok(Admin::PostUpdate("m-1".into())));
        assert_eq!(route("POST", "incidents/abc/postmortem/publish"), Ok(Admin::PublishPostmortem("abc".into())));
        assert_eq!(route("PUT", "components/order"), Ok(Admin::ReorderComponents));
        assert_eq!(route("POST", "maintenances/m-1/cancel"), Ok(Admin::CancelMaintenance("m-1".into())));
        assert_eq!(route("GET", "incidents/abc"), Ok(Admin::GetEvent("abc".into())));
        assert_eq!(route("DELETE", "maintenances/abc"), Err(Miss::Method("GET, PATCH")));
        assert_eq!(route("DELETE", "maintenances/m-1/cancel"), Err(Miss::Method("POST")));
        assert_eq!(route("POST", "incidents/m-1/cancel"), Err(Miss::NotFound));
        assert_eq!(route("PATCH", "components/api"), Ok(Admin::EditComponent("api".into())));
        assert_eq!(route("GET", "incidents"), Err(Miss::Method("POST")));
        assert_eq!(route("DELETE", "incidents/abc"), Err(Miss::Method("GET, PATCH")));
        assert_eq!(route("POST", "incidents/a%20b/updates"), Err(Miss::NotFound));
        assert_eq!(route("POST", "nothing"), Err(Miss::NotFound));
        assert_eq!(route("POST", "subscriptions"), Ok(Admin::CreateSubscription));
        assert_eq!(route("GET", "subscriptions"), Ok(Admin::ListSubscriptions));
        assert_eq!(route("DELETE", "subscriptions"), Err(Miss::Method("GET, POST")));
        assert_eq!(route("PATCH", "subscriptions/sub_1"), Ok(Admin::EditSubscription("sub_1".into())));
        assert_eq!(route("DELETE", "subscriptions/sub_1"), Ok(Admin::DeleteSubscription("sub_1".into())));
        assert_eq!(route("GET", "subscriptions/sub_1"), Err(Miss::Method("PATCH, DELETE")));
        assert_eq!(route("GET", "subscriptions/sub_1/deliveries"), Ok(Admin::ListDeliveries("sub_1".into())));
        assert_eq!(
            route("POST", "subscriptions/sub_1/deliveries/evt_3_0/replay"),
            Ok(Admin::ReplayDelivery("sub_1".into(), "evt_3_0".into()))
        );
        assert_eq!(route("GET", "subscriptions/sub_1/deliveries/evt_3_0/replay"), Err(Miss::Method("POST")));
        assert_eq!(route("POST", "subscriptions/sub_1/deliveries/evt..1/replay"), Err(Miss::NotFound));
    }

    #[test]
    fn the_route_table_and_the_router_agree() {
        for (method, pattern) in ROUTES {
            let path =
                pattern.trim_start_matches("/api/v2/admin/").replace("{id}", "x1").replace("{delivery}", "evt_1_0");
            assert!(route(method, &path).is_ok(), "{method} {pattern} is not routed");
            for other in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                let listed = ROUTES.iter().any(|(m, p)| *m == other && *p == pattern);
                let routed = route(other, &path).is_ok();
                // `components/order` is also `components/{id}` for PATCH; the table lists both.
                let shadowed = pattern.ends_with("{id}") || pattern.ends_with("/order");
                assert!(listed == routed || shadowed, "{other} {pattern}: listed {listed}, routed {routed}");
            }
        }
    }
}
