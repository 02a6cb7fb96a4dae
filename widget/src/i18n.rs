//! The widget's words in each language it speaks. Dates and relative times come from `Intl` (see
//! [`crate::intl`]); only the fixed words live here.

use sitrep_shared::{ComponentStatus, IncidentStatus, Indicator};

/// Every fixed string of the widget in one language.
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
    pub retry: &'static str,
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

const EN: Text = Text {
    tag: "en",
    none: "All Systems Operational",
    minor: "Minor Service Outage",
    major: "Partial System Outage",
    critical: "Major System Outage",
    maintenance: "Service Under Maintenance",
    checking: "Checking status…",
    unavailable: "Status unavailable",
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
    retry: "Try again",
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
    retry: "Opnieuw proberen",
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
    retry: "Erneut versuchen",
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
    retry: "Réessayer",
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
    retry: "Reintentar",
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
    retry: "再試行",
};

/// Every language, English first (the fallback).
pub const LANGUAGES: [&Text; 6] = [&EN, &NL, &DE, &FR, &ES, &JA];

/// The language for the first of `preferred` (BCP 47 tags, most preferred first) the widget speaks,
/// with the tag to give `Intl`: the reader's own tag when its language matches, so `en-GB` keeps its dates.
pub fn choose<'a>(preferred: impl IntoIterator<Item = &'a str>) -> (&'static Text, String) {
    for tag in preferred {
        let primary = tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        if let Some(text) = LANGUAGES.iter().find(|t| t.tag == primary) {
            return (text, tag.replace('_', "-"));
        }
    }
    (&EN, "en".to_owned())
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn picks_the_first_language_it_speaks_and_keeps_the_region() {
        assert_eq!(choose(["pl-PL", "nl-BE", "en"]).0.tag, "nl");
        assert_eq!(choose(["pl-PL", "nl-BE", "en"]).1, "nl-BE");
        assert_eq!(choose(["ja"]).0.tag, "ja");
        assert_eq!(choose(["de_AT"]).1, "de-AT");
        assert_eq!(choose(["pl", "xx"]).0.tag, "en");
        assert_eq!(choose(std::iter::empty()).1, "en");
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
                text.unconfirmed,
                text.out_of_date,
                text.dismiss,
                text.details,
                text.uptime,
            ];
            assert!(all.iter().all(|s| !s.trim().is_empty()), "{}", text.tag);
            assert_ne!(text.indicator(Indicator::None), text.indicator(Indicator::Critical));
        }
    }
}
