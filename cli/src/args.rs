//! The command line, parsed by clap into one enum per group, so that a flag that does not apply is
//! an error and every status, impact and time is checked before anything is sent.

use clap::{Args, Parser, Subcommand, ValueEnum};
use sitrep_shared::access::Role;
use sitrep_shared::notify::{Channel, EventType};
use sitrep_shared::{ComponentStatus, Impact, IncidentStatus};

/// sitrep: tell your users what is broken, what is being done, and what was learned.
#[derive(Debug, Parser)]
#[command(name = "sitrep", version, about, propagate_version = true, max_term_width = 100)]
#[command(after_help = "SITREP_URL is the edge's origin (http://127.0.0.1:8787 with `cargo xtask dev`); \
SITREP_TOKEN the admin token or a personal token (sent over https, or plain http to this machine only); SITREP_PROXY a proxy to \
use (the environment's HTTPS_PROXY is not). Writes that create something carry an Idempotency-Key and are retried \
once on a connection error, so a dropped answer never creates a duplicate.")]
pub struct Cli {
    /// Print the edge's JSON instead of lines for people.
    #[arg(long, global = true)]
    pub json: bool,
    /// The page to work on (`sitrep page list`); without it, the deployment's default page.
    #[arg(long, global = true, env = "SITREP_PAGE", value_name = "ID")]
    pub page: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The page's status: open incidents, maintenances, components not operational.
    Status,
    /// Open, update, resolve and list incidents.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Write, preview and publish postmortems.
    #[command(subcommand)]
    Postmortem(PostmortemCommand),
    /// Schedule, update, reschedule, complete, cancel and list maintenances.
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
    /// The page's own settings (name, URL, time zone), and the deployment's pages: add, list, remove.
    #[command(subcommand)]
    Page(PageCommand),
    /// Add, edit, order and list components.
    #[command(subcommand)]
    Component(ComponentCommand),
    /// Incident templates: words prepared for outages you can foresee (the console opens incidents from them).
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Import a page from another service.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Receivers told about every change: signed webhooks, Slack, Discord.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
    /// What was sent to a subscriber, and sending an event again.
    #[command(subcommand)]
    Deliveries(DeliveriesCommand),
    /// Operators: invite, list, change roles, revoke (owners only).
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Who the token belongs to, and their role.
    Whoami,
    /// The audit log, newest first.
    Log {
        /// How many entries.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
        limit: u16,
    },
}

/// `sitrep page ...`
#[derive(Debug, Subcommand)]
pub enum PageCommand {
    /// Change the name readers see, the status page's URL or its time zone; what is left out stays.
    Set {
        /// The name readers see.
        #[arg(long)]
        name: Option<String>,
        /// The status page's own origin, such as https://status.example.com (links in feeds and
        /// messages are built from it).
        #[arg(long)]
        url: Option<String>,
        /// IANA time zone for times written without one, such as Europe/Amsterdam.
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// Add a page that answers on its own hostnames, with its own incidents, components and
    /// subscribers (owners only). Point each hostname at this deployment (a custom domain).
    Add {
        /// Its id: lowercase letters, digits and '-' (`--page ID` names it afterwards).
        id: String,
        /// A hostname it answers to, such as status.example.com (repeat for more, up to 8).
        #[arg(long = "host", value_name = "HOST", required = true)]
        hosts: Vec<String>,
        /// The name readers see (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// Only signed-in operators and holders of a reader link (`sitrep page link`) read it.
        #[arg(long)]
        private: bool,
        /// With --private: someone Cloudflare Access signs in reads it too, by email
        /// (ada@example.com) or by domain (@example.com); repeat for more, up to 20.
        #[arg(long = "reader", value_name = "EMAIL|@DOMAIN", requires = "private")]
        readers: Vec<String>,
    },
    /// Who reads a private page by Cloudflare Access: sets the whole list (owners only); none
    /// given, nobody does (reader links and operators still do).
    Readers {
        /// The page's id.
        id: String,
        /// Emails (ada@example.com) and domains (@example.com), up to 20.
        #[arg(value_name = "EMAIL|@DOMAIN")]
        readers: Vec<String>,
    },
    /// A reader link of a private page, printed on the last line: whoever holds it reads the page
    /// (owners only). --revoke ends every link of the page made so far.
    Link {
        /// The page's id.
        id: String,
        /// How many days the link lives (1 to 366).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366), conflicts_with = "revoke")]
        days: u32,
        /// Revoke every reader link of the page instead.
        #[arg(long)]
        revoke: bool,
    },
    /// The deployment's pages besides the default one, with their hostnames.
    List,
    /// Remove a page (owners only): its hostnames answer as the default page again and nothing of
    /// it is served any more. Needs --yes.
    Remove {
        /// The page's id.
        id: String,
        /// Yes, remove it (its incidents, components and subscribers cannot be brought back).
        #[arg(long)]
        yes: bool,
    },
}

/// `sitrep incident ...`
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open incidents, or every recent one with --all.
    List {
        /// Resolved ones too (the 50 most recent).
        #[arg(long)]
        all: bool,
    },
    /// Open an incident with its first update.
    #[command(after_help = TIMES)]
    Open {
        #[command(flatten)]
        incident: Opening,
        /// When the impact began (default now): 14:05 (the last one), yesterday 23:10 or
        /// 2099-11-30 02:00; see Times below.
        #[arg(long)]
        started: Option<String>,
    },
    /// Post an update.
    Update {
        /// The incident's id (`sitrep incident list`).
        id: String,
        /// The new status.
        #[arg(long, value_enum)]
        status: IncidentState,
        /// The update's text.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        components: ComponentChanges,
        /// A new impact.
        #[arg(long, value_enum)]
        impact: Option<ImpactArg>,
        /// Reopen a resolved incident.
        #[arg(long)]
        reopen: bool,
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        language: Language,
    },
    /// Fix the text of an update already posted (a typo, a wrong word): it keeps its time and
    /// place; the audit log keeps the change.
    Fix {
        /// The incident's or maintenance's id.
        id: String,
        /// The corrected text.
        #[arg(long)]
        body: String,
        /// Which update (its id, from `--json` output); default the latest.
        #[arg(long)]
        update: Option<String>,
    },
    /// Delete a test or mistaken incident: gone from every public page, feed and uptime bar; the
    /// components it still holds go back to operational; the audit log keeps the record and
    /// subscribers get incident.deleted. Needs --yes.
    Delete {
        /// The incident's id.
        id: String,
        /// Yes, delete it (nothing can bring it back).
        #[arg(long)]
        yes: bool,
    },
    /// Resolve: post the resolved update; the components it touched go back to operational.
    Resolve {
        /// The incident's id.
        id: String,
        /// The update's text.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        language: Language,
    },
}

/// `sitrep postmortem ...`
#[derive(Debug, Subcommand)]
#[command(after_help = POSTMORTEM_LAYOUT)]
pub enum PostmortemCommand {
    /// Write (or replace) the draft from a Markdown file and preview it; readers see nothing yet.
    Draft {
        /// The incident's id.
        id: String,
        /// The Markdown file (layout below).
        #[arg(long)]
        file: String,
        /// Where to write the preview, the incident page as readers will see it once published.
        #[arg(long, default_value = "postmortem-preview.html")]
        preview: String,
    },
    /// Publish the draft (after writing it from --file, if given).
    Publish {
        /// The incident's id.
        id: String,
        /// Write this Markdown file as the draft first.
        #[arg(long)]
        file: Option<String>,
    },
}

/// The postmortem file's layout, shown in `sitrep postmortem --help`.
pub const POSTMORTEM_LAYOUT: &str = "\
A postmortem file:

  ---
  language: en                      (optional: the BCP 47 tag of the text)
  time_zone: Europe/Amsterdam       (optional: for times without a zone; default the page's)
  impact_start: 2020-12-09 11:28    (optional, with impact_end: when users were affected)
  impact_end: 2020-12-09 17:38
  ---
  # A title (optional, not published: the incident's name is the title)

  The summary: every paragraph before the first section.

  ## Timeline
  - 2020-12-09 11:28: The rolling deploy starts.     (to the minute)
  - 2020-12-09 ~21:00: Around nine, queues back up.  (~ : to the hour)
  - 2020-12-10: Backfill finished.                   (the day only)

  ## Action items
  - [x] Roll back automatically on error rate.
  - [ ] Canary deploys per region.

  ## Any other heading
  A section, in sitrep's Markdown (paragraphs, lists, **bold**, *italic*, `code`, links).

Anything else (text before the front matter, an unknown key, a timeline line without a time, an
action item without [ ] or [x]) is an error that names its line: nothing is dropped silently.";

/// `sitrep maintenance ...`
#[derive(Debug, Subcommand)]
#[command(after_help = TIMES)]
pub enum MaintenanceCommand {
    /// Upcoming and active maintenances, or every recent one with --all.
    List {
        /// Completed ones too.
        #[arg(long)]
        all: bool,
    },
    /// Announce a maintenance window.
    #[command(after_help = TIMES)]
    Schedule {
        /// The title readers see.
        #[arg(long)]
        name: String,
        /// The announcement.
        #[arg(long)]
        body: String,
        /// When the window opens: 15:30 (the next), tomorrow 03:00, +2h or 2099-11-30 02:00; see Times below.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        end: WindowEnd,
        /// A component the work touches (repeat the flag for more).
        #[arg(long = "component", value_name = "ID")]
        components: Vec<String>,
        /// Do not move it to in progress and completed at the window's edges.
        #[arg(long)]
        manual: bool,
        /// The window is over: add it to the history as completed, notifying nobody (a window in
        /// the past is refused without it).
        #[arg(long, conflicts_with = "manual")]
        record: bool,
        #[command(flatten)]
        language: Language,
    },
    /// Post an update.
    Update {
        /// The maintenance's id (`sitrep maintenance list`).
        id: String,
        /// The new status.
        #[arg(long, value_enum)]
        status: MaintenanceState,
        /// The update's text.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        components: ComponentChanges,
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        language: Language,
    },
    /// Move the window (its start only until it has begun).
    #[command(after_help = TIMES)]
    Reschedule {
        /// The maintenance's id.
        id: String,
        /// The new start.
        #[arg(long)]
        from: Option<String>,
        /// The new end.
        #[arg(long, conflicts_with = "duration")]
        until: Option<String>,
        /// The new length, from the (new) start: 90m, 2h, 1h30m.
        #[arg(long)]
        duration: Option<String>,
    },
    /// Complete it: its components go back to operational.
    Complete {
        /// The maintenance's id.
        id: String,
        /// The update's text.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        force: Force,
        #[command(flatten)]
        language: Language,
    },
    /// Call it off (readers see it cancelled; Statuspage clients see it completed).
    Cancel {
        /// The maintenance's id.
        id: String,
        /// Why, for readers. Without it: "The scheduled maintenance has been cancelled.", in the
        /// announcement's language.
        #[arg(long, default_value = "")]
        body: String,
        #[command(flatten)]
        language: Language,
    },
    /// Delete a test or mistaken maintenance (subscribers get maintenance.deleted). Needs --yes.
    Delete {
        /// The maintenance's id.
        id: String,
        /// Yes, delete it (nothing can bring it back).
        #[arg(long)]
        yes: bool,
    },
}

/// How times are written, shown in `sitrep maintenance --help`.
pub const TIMES: &str = "\
Times: 2099-11-30 02:00 (in the page's time zone, shown by `sitrep status`); 15:30 (today's if it is
still to come, else tomorrow's; for --started, the last one); today 15:30, tomorrow 03:00,
yesterday 23:10; +30m, +30min, +2h, +1d (from now); now; 2099-11-30T02:00:00Z or
2099-11-30T03:00+01:00 (exact). Durations: 90m, 30min, 2h, 1h30m, 1d.";

/// `sitrep component ...`
#[derive(Debug, Subcommand)]
pub enum ComponentCommand {
    /// Every component and group, with ids and statuses.
    List,
    /// Add a component or group.
    Add {
        /// Its name.
        #[arg(long)]
        name: String,
        /// One line for readers.
        #[arg(long)]
        description: Option<String>,
        /// The group it belongs to.
        #[arg(long, value_name = "ID")]
        group_id: Option<String>,
        /// Make it a group.
        #[arg(long, conflicts_with = "group_id")]
        group: bool,
    },
    /// Change a component outside any incident.
    Set {
        /// The component's id (`sitrep component list`).
        id: String,
        /// Its new status.
        #[arg(long, value_enum)]
        status: Option<ComponentState>,
        /// Its new name.
        #[arg(long)]
        name: Option<String>,
        /// Its new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Put every component in this order.
    Order {
        /// Every component id, each once.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Remove a component or an empty group from the page: it leaves every page, document, badge
    /// and uptime bar; closed incidents and maintenances keep naming it. Refused while an open
    /// incident or maintenance (scheduled included) lists it.
    Remove {
        /// The component's id (`sitrep component list`).
        id: String,
        /// Remove it for good (there is no undo).
        #[arg(long)]
        yes: bool,
    },
}

/// `sitrep template ...`
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Every template, by name, with its id.
    List,
    /// Add a template (or replace one with --replace ID): the incident it opens, under a name.
    Add {
        /// What operators pick it by (readers never see it).
        template: String,
        /// The incident it opens.
        #[command(flatten)]
        incident: Opening,
        /// Replace the template with this id instead of adding one.
        #[arg(long, value_name = "ID")]
        replace: Option<String>,
    },
    /// Remove a template.
    Remove {
        /// The template's id (`sitrep template list`).
        id: String,
    },
}

/// `sitrep deliveries ...`
#[derive(Debug, Subcommand)]
pub enum DeliveriesCommand {
    /// A subscription's recent deliveries, newest first: each event, its tries and their answers.
    List {
        /// The subscription's id (`sitrep subscribers list`).
        subscription: String,
    },
    /// Send an event to a subscription again (with the same webhook-id, so receivers deduplicate it).
    Replay {
        /// The subscription's id.
        subscription: String,
        /// The event's id, as `sitrep deliveries list` shows it (evt_...).
        event: String,
    },
}

/// `sitrep subscribers ...`
#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Every subscription (never their secrets).
    List,
    /// Add a receiver; prints its signing secret, this once.
    Add {
        /// The receiver's format.
        #[arg(long, value_enum)]
        kind: ChannelArg,
        /// Where to deliver: https (http only for this machine, in local development).
        #[arg(long)]
        url: String,
        /// Only events about this component or group (repeat the flag for more); default all.
        #[arg(long = "component", value_name = "ID")]
        components: Vec<String>,
        /// Only this kind of event (repeat the flag for more); default all.
        #[arg(long = "event", value_enum, value_name = "EVENT")]
        events: Vec<EventArg>,
    },
    /// Stop deliveries for now (events wait for it).
    Pause {
        /// The subscription's id (`sitrep subscribers list`).
        id: String,
    },
    /// Deliver again.
    Resume {
        /// The subscription's id.
        id: String,
    },
    /// Remove a subscription.
    Remove {
        /// The subscription's id.
        id: String,
    },
}

/// `sitrep operator ...`
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Every operator, with their role (and whether they were revoked).
    List,
    /// Invite someone: prints a single-use sign-in link, valid 24 h, on its last line.
    Invite {
        /// Their email address.
        email: String,
        /// What they may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// How the audit log names them (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
    },
    /// Give an operator another role: on the deployment, or with --on on one page only (a
    /// contractor who edits one customer's page and reads the rest).
    Role {
        /// The operator's id or email.
        operator: String,
        #[arg(value_enum, required_unless_present = "inherit")]
        role: Option<RoleArg>,
        /// The page (id) the role is for; without it, the deployment and every page given no role
        /// of its own.
        #[arg(long, value_name = "PAGE")]
        on: Option<String>,
        /// With --on: that page follows their deployment role again.
        #[arg(long, requires = "on", conflicts_with = "role")]
        inherit: bool,
    },
    /// Revoke an operator: every session and personal token of theirs ends at once.
    Revoke {
        /// The operator's id or email.
        operator: String,
    },
    /// An operator's signed-in browsers.
    Sessions {
        /// The operator's id or email.
        operator: String,
    },
}

/// `sitrep import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Replace the page with a Statuspage export (summary.json, incidents.json, ...).
    Statuspage {
        /// The export file.
        file: String,
    },
}

/// `--component ID=STATUS`, repeated.
#[derive(Debug, Args)]
pub struct ComponentChanges {
    /// A component's new status, as ID=STATUS (repeat the flag for more).
    #[arg(long = "component", value_name = "ID=STATUS")]
    pub list: Vec<String>,
}

/// The incident `sitrep incident open` opens, and a template keeps.
#[derive(Debug, Args)]
pub struct Opening {
    /// The title readers see.
    #[arg(long)]
    pub name: String,
    /// The first update's text.
    #[arg(long)]
    pub body: String,
    /// The first status.
    #[arg(long, value_enum, default_value_t = IncidentState::Investigating)]
    pub status: IncidentState,
    /// How bad it is.
    #[arg(long, value_enum, default_value_t = ImpactArg::Minor)]
    pub impact: ImpactArg,
    #[command(flatten)]
    pub components: ComponentChanges,
    #[command(flatten)]
    pub language: Language,
}

/// The end of a window: a time or a length.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct WindowEnd {
    /// When the window closes (the forms of --from).
    #[arg(long)]
    pub until: Option<String>,
    /// How long it lasts: 90m, 30min, 2h, 1h30m.
    #[arg(long)]
    pub duration: Option<String>,
}

/// `--language`.
#[derive(Debug, Args)]
pub struct Language {
    /// The BCP 47 tag of the text, if not the readers' usual language (nl, de-CH, ...).
    #[arg(long, value_name = "TAG")]
    pub language: Option<String>,
}

/// `--force`.
#[derive(Debug, Args)]
pub struct Force {
    /// Post it even if it only repeats what readers already see (a second resolved update).
    #[arg(long)]
    pub force: bool,
}

/// Declares a clap value enum that mirrors one of the model's enums, with the wire spelling as
/// the name and the dashed spelling accepted too.
macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident => $model:ident { $($variant:ident = $wire:literal $(| $alias:literal)?),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $(
                #[value(name = $wire $(, alias = $alias)?)]
                $variant,
            )+
        }

        impl From<$name> for $model {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => $model::$variant,)+
                }
            }
        }
    };
}

mirror!(
    /// An incident's statuses.
    IncidentState => IncidentStatus {
        Investigating = "investigating",
        Identified = "identified",
        Monitoring = "monitoring",
        Resolved = "resolved",
    }
);

mirror!(
    /// A maintenance's statuses.
    MaintenanceState => IncidentStatus {
        Scheduled = "scheduled",
        InProgress = "in_progress" | "in-progress",
        Verifying = "verifying",
        Completed = "completed",
    }
);

mirror!(
    /// Impacts an incident can have.
    ImpactArg => Impact { None = "none", Minor = "minor", Major = "major", Critical = "critical" }
);

mirror!(
    /// A component's statuses.
    ComponentState => ComponentStatus {
        Operational = "operational",
        DegradedPerformance = "degraded_performance" | "degraded-performance",
        PartialOutage = "partial_outage" | "partial-outage",
        MajorOutage = "major_outage" | "major-outage",
        UnderMaintenance = "under_maintenance" | "under-maintenance",
    }
);

mirror!(
    /// The formats a receiver takes.
    ChannelArg => Channel { Webhook = "webhook", Slack = "slack", Discord = "discord" }
);

mirror!(
    /// The events a subscription can choose.
    EventArg => EventType {
        IncidentOpened = "incident.opened",
        IncidentUpdated = "incident.updated",
        IncidentResolved = "incident.resolved",
        MaintenanceScheduled = "maintenance.scheduled",
        MaintenanceStarted = "maintenance.started",
        MaintenanceCompleted = "maintenance.completed",
        MaintenanceCancelled = "maintenance.cancelled",
        PostmortemPublished = "postmortem.published",
        ComponentStatusChanged = "component.status_changed" | "component.status-changed",
        IncidentDeleted = "incident.deleted",
        MaintenanceDeleted = "maintenance.deleted",
    }
);

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    fn error(args: &[&str]) -> String {
        let mut argv = vec!["sitrep"];
        argv.extend(args);
        Cli::try_parse_from(argv).map(|_| ()).expect_err("accepted").to_string()
    }

    #[test]
    fn a_wrong_value_names_the_valid_ones_and_the_likely_one() {
        let typo = error(&["incident", "update", "x", "--status", "identifed", "--body", "b"]);
        assert!(typo.contains("'identifed'") && typo.contains("identified"), "{typo}");
        let impact = error(&["incident", "open", "--name", "n", "--body", "b", "--impact", "majr"]);
        assert!(impact.contains("none, minor, major, critical"), "{impact}");
        let flag = error(&["component", "list", "--status", "major_outage"]);
        assert!(flag.contains("--status"), "a flag that does not apply is refused: {flag}");
    }

    #[test]
    fn dashes_and_underscores_both_name_a_status() {
        let cli = Cli::try_parse_from(["sitrep", "component", "set", "api", "--status", "major-outage"]).unwrap();
        let Command::Component(ComponentCommand::Set { status, .. }) = cli.command else { panic!() };
        assert_eq!(status.map(ComponentStatus::from), Some(ComponentStatus::MajorOutage));
    }

    #[test]
    fn a_role_is_for_the_deployment_or_with_on_for_one_page() {
        let role = |args: &[&str]| {
            let cli = Cli::try_parse_from(["sitrep", "operator", "role"].iter().chain(args)).map_err(|e| e.kind())?;
            let Command::Operator(OperatorCommand::Role { role, on, inherit, .. }) = cli.command else { panic!() };
            Ok::<_, clap::error::ErrorKind>((role.map(Role::from), on, inherit))
        };
        assert_eq!(role(&["ada", "editor"]), Ok((Some(Role::Editor), None, false)));
        assert_eq!(role(&["ada", "owner", "--on", "acme"]), Ok((Some(Role::Owner), Some("acme".into()), false)));
        assert_eq!(role(&["ada", "--on", "acme", "--inherit"]), Ok((None, Some("acme".into()), true)));
        assert!(role(&["ada"]).is_err(), "a role or --inherit");
        assert!(role(&["ada", "--inherit"]).is_err(), "--inherit names a page");
        assert!(role(&["ada", "editor", "--on", "acme", "--inherit"]).is_err());
    }
}

mirror!(
    /// What an operator may do.
    RoleArg => Role { Viewer = "viewer", Editor = "editor", Owner = "owner" }
);
