//! The widget's words in each language it speaks. Dates and relative times come from `Intl` (see
//! [`crate::intl`]); only the fixed words live here.

use sitrep_shared::{ComponentStatus, Incident, IncidentStatus, Indicator};

/// Every fixed string of the views in one language.
#[derive(Debug)]
pub struct Text {
    /// BCP 47 primary tag.
    pub tag: &'static str,
    pub none: &'static str,
    pub minor: &'static str,
    pub major: &'static str,
    pub critical: &'static str,
    pub maintenance: &'static str,
    pub checking: &'static str,
    pub unavailable: &'static str,
    /// Said under "Status unavailable" when nothing could be read (the technical reason goes to the console).
    pub unreachable: &'static str,
    pub unconfirmed: &'static str,
    pub out_of_date: &'static str,
    pub operational: &'static str,
    pub degraded: &'static str,
    pub partial: &'static str,
    pub major_outage: &'static str,
    pub under_maintenance: &'static str,
    pub unknown: &'static str,
    pub investigating: &'static str,
    pub identified: &'static str,
    pub monitoring: &'static str,
    pub resolved: &'static str,
    pub scheduled: &'static str,
    pub in_progress: &'static str,
    pub verifying: &'static str,
    pub completed: &'static str,
    /// A maintenance called off (a sitrep extension of `completed`).
    pub cancelled: &'static str,
    pub dismiss: &'static str,
    pub details: &'static str,
    pub status_page: &'static str,
    pub components: &'static str,
    pub incidents: &'static str,
    pub upcoming: &'static str,
    pub postmortems: &'static str,
    pub action_items: &'static str,
    pub done: &'static str,
    pub to_do: &'static str,
    pub uptime: &'static str,
    pub no_data: &'static str,
    pub days_ago: &'static str,
    pub today: &'static str,
    pub impact: &'static str,
    pub updated: &'static str,
    /// The heading of an incident's updates on its page.
    pub updates: &'static str,
    /// The heading of maintenance under way on the status page (not "Current incidents").
    pub maintenance_now: &'static str,
    /// The heading of a postmortem's timeline.
    pub timeline: &'static str,
    /// A page that does not exist: its heading and sentence.
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    /// Before the zone every time on a page is in: "Times in" America/New_York.
    pub times_in: &'static str,
    /// `preview="incident"`: the sample incident's name and update.
    pub preview_name: &'static str,
    pub preview_body: &'static str,
    /// Beside an update whose text an operator fixed.
    pub edited: &'static str,
    pub retry: &'static str,
    pub history: &'static str,
    pub no_incidents: &'static str,
    pub current_status: &'static str,
    pub older: &'static str,
    pub newer: &'static str,
    pub feeds: &'static str,
    pub affected: &'static str,
    pub postmortem: &'static str,
    pub page: &'static str,
    /// A deleted incident's chat message title: "Deleted: …".
    pub deleted: &'static str,
}

/// Two texts are the same language (props compare them).
impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
    }
}

impl Text {
    /// The headline for an indicator.
    pub fn indicator(&self, indicator: Indicator) -> &'static str {
        match indicator {
            Indicator::None => self.none,
            Indicator::Minor => self.minor,
            Indicator::Major => self.major,
            Indicator::Critical => self.critical,
            Indicator::Maintenance => self.maintenance,
            Indicator::Unknown => self.unknown,
        }
    }

    /// A component's status.
    pub fn component(&self, status: ComponentStatus) -> &'static str {
        match status {
            ComponentStatus::Operational => self.operational,
            ComponentStatus::DegradedPerformance => self.degraded,
            ComponentStatus::PartialOutage => self.partial,
            ComponentStatus::MajorOutage => self.major_outage,
            ComponentStatus::UnderMaintenance => self.under_maintenance,
            ComponentStatus::Unknown => self.unknown,
        }
    }

    /// An incident's or maintenance's current status, "cancelled" for a maintenance called off.
    pub fn event_status(&self, event: &Incident) -> &'static str {
        if event.cancelled_at.is_some() { self.cancelled } else { self.status(event.status) }
    }

    /// An incident's or maintenance's status.
    pub fn status(&self, status: IncidentStatus) -> &'static str {
        match status {
            IncidentStatus::Investigating => self.investigating,
            IncidentStatus::Identified => self.identified,
            IncidentStatus::Monitoring => self.monitoring,
            IncidentStatus::Resolved | IncidentStatus::Postmortem => self.resolved,
            IncidentStatus::Scheduled => self.scheduled,
            IncidentStatus::InProgress => self.in_progress,
            IncidentStatus::Verifying => self.verifying,
            IncidentStatus::Completed => self.completed,
            IncidentStatus::Unknown => self.unknown,
        }
    }
}

/// Chat messages to subscribers (`shared::notify::message`) say what the status page says, in the
/// same words.
impl sitrep_shared::notify::message::Labels for Text {
    fn event_status(&self, event: &Incident) -> &str {
        Text::event_status(self, event)
    }

    fn component(&self, status: ComponentStatus) -> &str {
        Text::component(self, status)
    }

    fn indicator(&self, indicator: Indicator) -> &str {
        Text::indicator(self, indicator)
    }

    fn label(&self, label: sitrep_shared::notify::message::Label) -> &str {
        use sitrep_shared::notify::message::Label;
        match label {
            Label::Status => self.current_status,
            Label::Impact => self.impact,
            Label::Affected => self.affected,
            Label::Details => self.details,
            Label::Postmortem => self.postmortem,
            Label::Deleted => self.deleted,
        }
    }
}

const EN: Text = Text {
    tag: "en",
    none: "All Systems Operational",
    minor: "Minor Service Outage",
    major: "Partial System Outage",
    critical: "Major System Outage",
    maintenance: "Service Under Maintenance",
    checking: "Checking status…",
    unavailable: "Status unavailable",
    unreachable: "The status service could not be reached, or its answer could not be read.",
    unconfirmed: "Status not confirmed",
    out_of_date: "This may be out of date.",
    operational: "Operational",
    degraded: "Degraded performance",
    partial: "Partial outage",
    major_outage: "Major outage",
    under_maintenance: "Under maintenance",
    unknown: "Unknown",
    investigating: "Investigating",
    identified: "Identified",
    monitoring: "Monitoring",
    resolved: "Resolved",
    scheduled: "Scheduled",
    in_progress: "In progress",
    verifying: "Verifying",
    completed: "Completed",
    cancelled: "Cancelled",
    dismiss: "Dismiss",
    details: "Details",
    status_page: "Status page",
    components: "Components",
    incidents: "Current incidents",
    upcoming: "Scheduled maintenance",
    postmortems: "Postmortems",
    action_items: "Action items",
    done: "Done",
    to_do: "To do",
    uptime: "uptime",
    no_data: "No data",
    days_ago: "90 days ago",
    today: "Today",
    impact: "Impact",
    updated: "Updated",
    updates: "Updates",
    maintenance_now: "Maintenance in progress",
    timeline: "Timeline",
    not_found: "Page not found",
    not_found_text: "There is nothing at this address: the incident may have been removed, or the link mistyped.",
    times_in: "Times in",
    preview_name: "Example incident: sign-in is slow",
    preview_body: "This is a preview of how an incident looks here. Nothing has been published.",
    edited: "edited",
    retry: "Try again",
    history: "Incident history",
    no_incidents: "No incidents reported.",
    current_status: "Current status",
    older: "Older",
    newer: "Newer",
    feeds: "Feeds",
    affected: "Affected",
    postmortem: "Postmortem",
    page: "Page",
    deleted: "Deleted",
};

const NL: Text = Text {
    tag: "nl",
    none: "Alle systemen operationeel",
    minor: "Kleine storing",
    major: "Gedeeltelijke storing",
    critical: "Grote storing",
    maintenance: "Onderhoud",
    checking: "Status controleren…",
    unavailable: "Status niet beschikbaar",
    unreachable: "De statusdienst is niet bereikbaar, of zijn antwoord kon niet worden gelezen.",
    unconfirmed: "Status niet bevestigd",
    out_of_date: "Dit is mogelijk niet actueel.",
    operational: "Operationeel",
    degraded: "Verminderde prestaties",
    partial: "Gedeeltelijke storing",
    major_outage: "Grote storing",
    under_maintenance: "In onderhoud",
    unknown: "Onbekend",
    investigating: "Onderzoek",
    identified: "Oorzaak gevonden",
    monitoring: "Monitoring",
    resolved: "Opgelost",
    scheduled: "Gepland",
    in_progress: "Bezig",
    verifying: "Controle",
    completed: "Voltooid",
    cancelled: "Geannuleerd",
    dismiss: "Sluiten",
    details: "Details",
    status_page: "Statuspagina",
    components: "Onderdelen",
    incidents: "Huidige storingen",
    upcoming: "Gepland onderhoud",
    postmortems: "Evaluaties",
    action_items: "Actiepunten",
    done: "Gedaan",
    to_do: "Te doen",
    uptime: "beschikbaar",
    no_data: "Geen gegevens",
    days_ago: "90 dagen geleden",
    today: "Vandaag",
    impact: "Impact",
    updated: "Bijgewerkt",
    updates: "Updates",
    maintenance_now: "Onderhoud bezig",
    timeline: "Tijdlijn",
    not_found: "Pagina niet gevonden",
    not_found_text: "Op dit adres staat niets: het incident is misschien verwijderd, of de link is verkeerd getypt.",
    times_in: "Tijden in",
    preview_name: "Voorbeeldincident: inloggen is traag",
    preview_body: "Dit is een voorbeeld van hoe een incident hier verschijnt. Er is niets gepubliceerd.",
    edited: "bewerkt",
    retry: "Opnieuw proberen",
    history: "Incidentgeschiedenis",
    no_incidents: "Geen incidenten gemeld.",
    current_status: "Huidige status",
    older: "Ouder",
    newer: "Nieuwer",
    feeds: "Feeds",
    affected: "Getroffen",
    postmortem: "Postmortem",
    page: "Pagina",
    deleted: "Verwijderd",
};

const DE: Text = Text {
    tag: "de",
    none: "Alle Systeme betriebsbereit",
    minor: "Kleinere Störung",
    major: "Teilweise Störung",
    critical: "Schwere Störung",
    maintenance: "Wartungsarbeiten",
    checking: "Status wird geprüft…",
    unavailable: "Status nicht verfügbar",
    unreachable: "Der Statusdienst ist nicht erreichbar, oder seine Antwort war nicht lesbar.",
    unconfirmed: "Status nicht bestätigt",
    out_of_date: "Möglicherweise nicht aktuell.",
    operational: "Betriebsbereit",
    degraded: "Eingeschränkte Leistung",
    partial: "Teilausfall",
    major_outage: "Schwerer Ausfall",
    under_maintenance: "In Wartung",
    unknown: "Unbekannt",
    investigating: "Untersuchung",
    identified: "Ursache gefunden",
    monitoring: "Beobachtung",
    resolved: "Behoben",
    scheduled: "Geplant",
    in_progress: "Läuft",
    verifying: "Prüfung",
    completed: "Abgeschlossen",
    cancelled: "Abgesagt",
    dismiss: "Ausblenden",
    details: "Details",
    status_page: "Statusseite",
    components: "Komponenten",
    incidents: "Aktuelle Störungen",
    upcoming: "Geplante Wartung",
    postmortems: "Nachbetrachtungen",
    action_items: "Maßnahmen",
    done: "Erledigt",
    to_do: "Offen",
    uptime: "Verfügbarkeit",
    no_data: "Keine Daten",
    days_ago: "vor 90 Tagen",
    today: "Heute",
    impact: "Auswirkung",
    updated: "Aktualisiert",
    updates: "Aktualisierungen",
    maintenance_now: "Laufende Wartung",
    timeline: "Zeitverlauf",
    not_found: "Seite nicht gefunden",
    not_found_text: "Unter dieser Adresse gibt es nichts: Der Vorfall wurde vielleicht entfernt, oder der Link ist falsch geschrieben.",
    times_in: "Zeiten in",
    preview_name: "Beispielvorfall: Die Anmeldung ist langsam",
    preview_body: "Dies ist eine Vorschau, wie ein Vorfall hier aussieht. Es wurde nichts veröffentlicht.",
    edited: "bearbeitet",
    retry: "Erneut versuchen",
    history: "Vorfallverlauf",
    no_incidents: "Keine Vorfälle gemeldet.",
    current_status: "Aktueller Status",
    older: "Älter",
    newer: "Neuer",
    feeds: "Feeds",
    affected: "Betroffen",
    postmortem: "Post-mortem",
    page: "Seite",
    deleted: "Gelöscht",
};

const FR: Text = Text {
    tag: "fr",
    none: "Tous les systèmes sont opérationnels",
    minor: "Incident mineur",
    major: "Panne partielle",
    critical: "Panne majeure",
    maintenance: "Maintenance en cours",
    checking: "Vérification du statut…",
    unavailable: "Statut indisponible",
    unreachable: "Le service de statut est injoignable, ou sa réponse est illisible.",
    unconfirmed: "Statut non confirmé",
    out_of_date: "Ces informations ne sont peut-être plus à jour.",
    operational: "Opérationnel",
    degraded: "Performances dégradées",
    partial: "Panne partielle",
    major_outage: "Panne majeure",
    under_maintenance: "En maintenance",
    unknown: "Inconnu",
    investigating: "Analyse en cours",
    identified: "Cause identifiée",
    monitoring: "Surveillance",
    resolved: "Résolu",
    scheduled: "Planifiée",
    in_progress: "En cours",
    verifying: "Vérification",
    completed: "Terminée",
    cancelled: "Annulée",
    dismiss: "Masquer",
    details: "Détails",
    status_page: "Page de statut",
    components: "Composants",
    incidents: "Incidents en cours",
    upcoming: "Maintenance planifiée",
    postmortems: "Rapports d'incident",
    action_items: "Actions",
    done: "Fait",
    to_do: "À faire",
    uptime: "disponibilité",
    no_data: "Aucune donnée",
    days_ago: "Il y a 90 jours",
    today: "Aujourd'hui",
    impact: "Impact",
    updated: "Mis à jour",
    updates: "Mises à jour",
    maintenance_now: "Maintenance en cours",
    timeline: "Chronologie",
    not_found: "Page introuvable",
    not_found_text: "Il n’y a rien à cette adresse : l’incident a peut-être été supprimé, ou le lien est mal saisi.",
    times_in: "Heures en",
    preview_name: "Incident d’exemple : la connexion est lente",
    preview_body: "Ceci est un aperçu de l’affichage d’un incident. Rien n’a été publié.",
    edited: "modifié",
    retry: "Réessayer",
    history: "Historique des incidents",
    no_incidents: "Aucun incident signalé.",
    current_status: "État actuel",
    older: "Plus anciens",
    newer: "Plus récents",
    feeds: "Flux",
    affected: "Concerné",
    postmortem: "Post-mortem",
    page: "Page",
    deleted: "Supprimé",
};

const ES: Text = Text {
    tag: "es",
    none: "Todos los sistemas operativos",
    minor: "Incidencia menor",
    major: "Caída parcial",
    critical: "Caída grave",
    maintenance: "Servicio en mantenimiento",
    checking: "Comprobando el estado…",
    unavailable: "Estado no disponible",
    unreachable: "No se pudo contactar con el servicio de estado o leer su respuesta.",
    unconfirmed: "Estado sin confirmar",
    out_of_date: "Puede que no esté actualizado.",
    operational: "Operativo",
    degraded: "Rendimiento reducido",
    partial: "Caída parcial",
    major_outage: "Caída grave",
    under_maintenance: "En mantenimiento",
    unknown: "Desconocido",
    investigating: "Investigando",
    identified: "Causa identificada",
    monitoring: "Supervisando",
    resolved: "Resuelto",
    scheduled: "Programado",
    in_progress: "En curso",
    verifying: "Verificando",
    completed: "Completado",
    cancelled: "Cancelado",
    dismiss: "Descartar",
    details: "Detalles",
    status_page: "Página de estado",
    components: "Componentes",
    incidents: "Incidencias actuales",
    upcoming: "Mantenimiento programado",
    postmortems: "Análisis posteriores",
    action_items: "Acciones",
    done: "Hecho",
    to_do: "Pendiente",
    uptime: "disponibilidad",
    no_data: "Sin datos",
    days_ago: "Hace 90 días",
    today: "Hoy",
    impact: "Impacto",
    updated: "Actualizado",
    updates: "Actualizaciones",
    maintenance_now: "Mantenimiento en curso",
    timeline: "Cronología",
    not_found: "Página no encontrada",
    not_found_text: "No hay nada en esta dirección: puede que el incidente se haya eliminado o que el enlace esté mal escrito.",
    times_in: "Horas en",
    preview_name: "Incidente de ejemplo: el inicio de sesión es lento",
    preview_body: "Esta es una vista previa de cómo se ve un incidente aquí. No se ha publicado nada.",
    edited: "editado",
    retry: "Reintentar",
    history: "Historial de incidentes",
    no_incidents: "No se han registrado incidentes.",
    current_status: "Estado actual",
    older: "Anteriores",
    newer: "Recientes",
    feeds: "Feeds",
    affected: "Afectado",
    postmortem: "Post mortem",
    page: "Página",
    deleted: "Eliminado",
};

const JA: Text = Text {
    tag: "ja",
    none: "すべてのシステムが正常に稼働中",
    minor: "軽微な障害",
    major: "一部のシステムで障害",
    critical: "大規模な障害",
    maintenance: "メンテナンス中",
    checking: "ステータスを確認中…",
    unavailable: "ステータスを取得できません",
    unreachable: "ステータスサービスに接続できないか、応答を読み取れませんでした。",
    unconfirmed: "ステータス未確認",
    out_of_date: "情報が古い可能性があります。",
    operational: "正常",
    degraded: "パフォーマンス低下",
    partial: "一部障害",
    major_outage: "重大な障害",
    under_maintenance: "メンテナンス中",
    unknown: "不明",
    investigating: "調査中",
    identified: "原因特定",
    monitoring: "監視中",
    resolved: "解決済み",
    scheduled: "予定",
    in_progress: "実施中",
    verifying: "確認中",
    completed: "完了",
    cancelled: "中止",
    dismiss: "閉じる",
    details: "詳細",
    status_page: "ステータスページ",
    components: "コンポーネント",
    incidents: "発生中の障害",
    upcoming: "予定されたメンテナンス",
    postmortems: "事後報告",
    action_items: "対応項目",
    done: "完了",
    to_do: "未完了",
    uptime: "稼働率",
    no_data: "データなし",
    days_ago: "90日前",
    today: "今日",
    impact: "影響",
    updated: "更新",
    updates: "更新情報",
    maintenance_now: "実施中のメンテナンス",
    timeline: "タイムライン",
    not_found: "ページが見つかりません",
    not_found_text: "このアドレスには何もありません。インシデントが削除されたか、リンクが間違っている可能性があります。",
    times_in: "時刻のタイムゾーン:",
    preview_name: "インシデントの例：サインインが遅い",
    preview_body: "これはインシデントの表示のプレビューです。何も公開されていません。",
    edited: "編集済み",
    retry: "再試行",
    history: "インシデント履歴",
    no_incidents: "報告されたインシデントはありません。",
    current_status: "現在のステータス",
    older: "以前",
    newer: "以降",
    feeds: "フィード",
    affected: "影響",
    postmortem: "ポストモーテム",
    page: "ページ",
    deleted: "削除済み",
};

/// Every language, English first (the fallback).
pub const LANGUAGES: [&Text; 6] = [&EN, &NL, &DE, &FR, &ES, &JA];

/// The regions each language is formatted for (dates, numbers) when the reader asks for one; any
/// other region reads the language's own formats. A table, not whatever the reader sends: the edge
/// keys its renderings by this tag, so a flood of made-up tags (`nl-AA`, `nl-AB`, ...) renders
/// nothing new, and the edge's first frame and the wasm agree on it.
const REGIONS: [(&str, &[&str]); 6] = [
    ("en", &["US", "GB", "AU", "CA", "IE", "IN", "NZ", "SG", "ZA"]),
    ("nl", &["NL", "BE"]),
    ("de", &["DE", "AT", "CH", "LU"]),
    ("fr", &["FR", "BE", "CA", "CH", "LU"]),
    ("es", &["ES", "MX", "AR", "CL", "CO", "US"]),
    ("ja", &["JP"]),
];

/// The language for the first of `preferred` (BCP 47 tags, most preferred first) the widget speaks,
/// with the tag to give `Intl`: the language, with the reader's region when the table knows it
/// (so `en-GB` keeps its dates), else the language alone.
pub fn choose<'a>(preferred: impl IntoIterator<Item = &'a str>) -> (&'static Text, String) {
    for tag in preferred {
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
        if let Some(text) = LANGUAGES.iter().find(|t| t.tag == primary) {
            let region = parts.next().unwrap_or_default().to_ascii_uppercase();
            let known = REGIONS.iter().find(|(language, _)| *language == text.tag);
            let tag = match known {
                Some((_, regions)) if regions.contains(&region.as_str()) => format!("{}-{region}", text.tag),
                _ => text.tag.to_owned(),
            };
            return (text, tag);
        }
    }
    (&EN, "en".to_owned())
}

/// What to tell the page's developer when its `locale` is a language the widget does not speak.
pub fn locale_warning(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    if LANGUAGES.iter().any(|t| t.tag == primary) {
        return None;
    }
    let spoken = LANGUAGES.iter().map(|t| t.tag).collect::<Vec<_>>().join(", ");
    Some(format!(
        "sitrep: locale=\"{tag}\" is not a language the widget speaks ({spoken}); using the reader's languages."
    ))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The loader says "Status unavailable" itself when neither the wasm nor the edge's frame can be
    /// had: in these words, each language's, not a copy that drifts.
    #[test]
    fn the_loaders_fallback_speaks_these_words() {
        let loader = include_str!("../../widget/js/widget.js");
        let table = loader.lines().find(|l| l.starts_with("const UNAVAILABLE = {")).expect("the loader's table");
        for text in LANGUAGES {
            let entry = format!("{}: {:?}", text.tag, text.unavailable);
            assert!(table.contains(&entry), "{entry} is not in the loader's table: {table}");
        }
        assert_eq!(table.matches(": \"").count(), LANGUAGES.len(), "one entry per language: {table}");
    }

    #[test]
    fn a_chat_message_speaks_the_pages_words_in_each_language() {
        use sitrep_shared::notify::{Event, EventType, message};
        let incident: Incident = serde_json::from_value(serde_json::json!({
            "id": "i1", "name": "API down", "status": "investigating", "impact": "major",
            "created_at": "2026-11-29T10:00:00.000Z", "updated_at": "2026-11-29T10:00:00.000Z",
            "incident_updates": [{ "id": "u1", "incident_id": "i1", "status": "investigating", "body": "Looking",
                "created_at": "2026-11-29T10:00:00.000Z", "updated_at": "2026-11-29T10:00:00.000Z" }],
        }))
        .unwrap();
        let page: sitrep_shared::Page = serde_json::from_value(serde_json::json!({
            "id": "p", "name": "Acme", "url": "https://status.example.com", "updated_at": "2026-11-29T10:00:00.000Z",
        }))
        .unwrap();
        let event = Event {
            id: "evt_2_0".into(),
            kind: EventType::IncidentOpened,
            at: incident.created_at,
            version: 2,
            incident: Some(incident),
            component: None,
            components: vec![],
            told_by: None,
        };
        let (nl, _) = choose(["nl"]);
        let slack = message::slack(&event, &page, nl).to_string();
        assert!(slack.contains(nl.investigating) && slack.contains(nl.current_status), "{slack}");
        assert!(slack.contains(nl.indicator(Indicator::Major)) && slack.contains(nl.details), "{slack}");
        let (ja, _) = choose(["ja"]);
        let discord = message::discord(&event, &page, ja).to_string();
        assert!(discord.contains(ja.investigating) && discord.contains(ja.impact), "{discord}");
    }

    #[test]
    fn picks_the_first_language_it_speaks_and_keeps_the_region() {
        assert_eq!(choose(["pl-PL", "nl-BE", "en"]).0.tag, "nl");
        assert_eq!(choose(["pl-PL", "nl-BE", "en"]).1, "nl-BE");
        assert_eq!(choose(["ja"]).0.tag, "ja");
        assert_eq!(choose(["de_AT"]).1, "de-AT");
        assert_eq!(choose(["pl", "xx"]).0.tag, "en");
        assert_eq!(choose(std::iter::empty()).1, "en");
        // Review 2, finding 5: made-up regions and odd spellings make no new tag.
        assert_eq!(choose(["nl-AA"]).1, "nl");
        assert_eq!(choose(["EN-gb"]).1, "en-GB");
        assert_eq!(choose(["de-AT-x-private"]).1, "de-AT");
        assert_eq!(choose(["fr-Latn-FR"]).1, "fr");
    }

    #[test]
    fn a_locale_it_does_not_speak_is_named() {
        assert_eq!(locale_warning("nl-BE"), None);
        assert_eq!(locale_warning("ja"), None);
        assert_eq!(
            locale_warning("xx").as_deref(),
            Some(
                "sitrep: locale=\"xx\" is not a language the widget speaks (en, nl, de, fr, es, ja); using the reader's languages."
            )
        );
    }

    #[test]
    fn every_language_fills_every_string() {
        for text in LANGUAGES {
            let all = [
                text.none,
                text.minor,
                text.major,
                text.critical,
                text.maintenance,
                text.checking,
                text.unavailable,
                text.unreachable,
                text.unconfirmed,
                text.out_of_date,
                text.dismiss,
                text.details,
                text.uptime,
                text.history,
                text.no_incidents,
                text.current_status,
                text.older,
                text.newer,
                text.feeds,
                text.affected,
                text.postmortem,
                text.page,
            ];
            assert!(all.iter().all(|s| !s.trim().is_empty()), "{}", text.tag);
            assert_ne!(text.indicator(Indicator::None), text.indicator(Indicator::Critical));
        }
    }
}
