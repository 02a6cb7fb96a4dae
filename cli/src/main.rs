//! `sitrep`: the operator tool. `args` is the command line (clap), `main` checks what it can
//! before sending and says what happened; `api` speaks HTTP with `shared`'s types, `words` puts
//! refusals in the operator's words, `when` reads times, `postmortem` reads a postmortem file,
//! `import` converts a Statuspage export, `show` prints for people. `operator` manages who may
//! write (owners), `whoami` says whose the token is.

#[macro_use]
mod out;

mod api;
mod args;
mod import;
mod postmortem;
mod show;
mod when;
mod words;

use std::cell::OnceCell;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Parser, ValueEnum};
use serde::Serialize;
use sitrep_shared::command::{
    Cancellation, ComponentChange, ComponentEdit, ComponentOrder, EventEdit, NewComponent, NewIncident, NewMaintenance,
    NewUpdate, PageEdit, PostmortemDraft, UpdateEdit, WriteReply,
};
use sitrep_shared::notify::{NewSubscription, SubscriptionEdit};
use sitrep_shared::views::{ComponentsDocument, IncidentDocument, IncidentsDocument, MaintenancesDocument, Summary};
use sitrep_shared::{Component, ComponentId, ComponentStatus, Incident, IncidentStatus, Timestamp};

use crate::api::{Api, Refused};
use crate::args::{
    Cli, Command, ComponentCommand, ComponentState, DeliveriesCommand, ImportCommand, IncidentCommand,
    MaintenanceCommand, Opening, OperatorCommand, PageCommand, PostmortemCommand, SubscribersCommand, TemplateCommand,
};
use crate::show::{DeliveryList, ReplayReply, SubscriptionList, SubscriptionReply, local};
use crate::words::Typed;
use sitrep_shared::access::{NewOperator, OperatorEdit, Role};
use sitrep_shared::api::{Endpoint, Operation};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match Api::from_env(cli.page.clone()).and_then(|api| Tool::new(api, cli.json).run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sitrep: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// One invocation: the client, the output mode, and the page read once when a check needs it.
struct Tool {
    api: Api,
    json: bool,
    now: DateTime<Utc>,
    summary: OnceCell<Summary<'static>>,
}

impl Tool {
    fn new(api: Api, json: bool) -> Self {
        Self { api, json, now: Utc::now(), summary: OnceCell::new() }
    }

    fn run(&self, command: Command) -> Result<()> {
        match command {
            Command::Status => {
                let summary = self.summary()?;
                self.print(summary, || show::status(summary, self.zone()))
            }
            Command::Incident(command) => self.incident(command),
            Command::Postmortem(command) => self.postmortem(command),
            Command::Maintenance(command) => self.maintenance(command),
            Command::Component(command) => self.component(command),
            Command::Page(PageCommand::Add { id, hosts, name, private, readers }) => {
                let audience = if private {
                    sitrep_shared::host::Audience::Private
                } else {
                    sitrep_shared::host::Audience::Public
                };
                let name = name.unwrap_or_else(|| id.clone());
                let new = sitrep_shared::host::NewPage { name, id, hosts, audience, readers };
                let added: show::PageReply = self
                    .api
                    .create(&Operation::new(Endpoint::AddPage), Some(&new))
                    .map_err(|err| refused(err, &Typed::default()))?;
                self.print(&added, || show::page_added(&added.page))
            }
            Command::Page(PageCommand::Link { id, days, revoke }) => {
                if revoke {
                    let op = Operation::on(Endpoint::RevokeReaderLinks, id);
                    let reply: show::PageReply = self.api.send::<(), _>(&op, None, None)?;
                    return self
                        .print(&reply, || out!("revoked every reader link of page {} made so far", reply.page.id));
                }
                let asked = sitrep_shared::host::NewReaderLink { days: Some(days) };
                let op = Operation::on(Endpoint::CreateReaderLink, id);
                let link: show::ReaderLink =
                    self.api.send(&op, Some(&asked), None).map_err(|err| refused(err, &Typed::default()))?;
                self.print(&link, || {
                    out!(
                        "a reader link of page {} ({}), valid until {}:",
                        link.page.id,
                        link.page.name,
                        local(link.expires_at, self.zone())
                    );
                    out!("{}", link.link);
                })
            }
            Command::Page(PageCommand::Readers { id, readers }) => {
                let op = Operation::on(Endpoint::SetPageReaders, id);
                let body = sitrep_shared::host::PageReaders { readers, was: None };
                let reply: show::PageReply =
                    self.api.send(&op, Some(&body), None).map_err(|err| refused(err, &Typed::default()))?;
                self.print(&reply, || show::page_readers(&reply.page))
            }
            Command::Page(PageCommand::List) => {
                let list: show::PageList = self.api.admin_get(&Operation::new(Endpoint::ListPages), "")?;
                self.print(&list, || show::pages(&list))
            }
            Command::Page(PageCommand::Remove { id, yes }) => {
                if !yes {
                    bail!(
                        "removing page {id:?} answers its hostnames as the default page and serves nothing of it \
                         again; its incidents, components and subscribers cannot be brought back: add --yes"
                    );
                }
                let reply: show::PageReply =
                    self.api.send::<(), _>(&Operation::on(Endpoint::RemovePage, id), None, None)?;
                self.print(&reply, || {
                    out!("removed page {}", reply.page.id);
                    if reply.stopped == Some(false) {
                        out!(
                            "warning: its store did not stop (see the edge's log): nothing of it is served, but its \
                             scheduled maintenances may still move and notify its subscribers"
                        );
                    }
                })
            }
            Command::Page(PageCommand::Set { name, url, time_zone }) => {
                if name.is_none() && url.is_none() && time_zone.is_none() {
                    bail!("say what changes: --name, --url or --time-zone");
                }
                if let Some(zone) = &time_zone {
                    when::zone(zone).map_err(|e| anyhow!("--time-zone {e}"))?;
                }
                let edit = PageEdit { name, url, time_zone };
                let reply = self.api.send(&Operation::new(Endpoint::EditPage), Some(&edit), None);
                self.written(reply, &Typed::default())
            }
            Command::Import(ImportCommand::Statuspage { file }) => {
                let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
                let export: serde_json::Value =
                    serde_json::from_str(&text).with_context(|| format!("{file} is not JSON"))?;
                let page = import::page(&export)?;
                let reply = self.api.send(&Operation::new(Endpoint::ImportPage), Some(&page), None);
                self.written(reply, &Typed::default())
            }
            Command::Template(command) => self.template(command),
            Command::Subscribers(command) => self.subscribers(command),
            Command::Deliveries(command) => self.deliveries(command),
            Command::Operator(command) => self.operator(command),
            Command::Whoami => {
                let me: sitrep_shared::api::Me = self.api.admin_get(&Operation::new(Endpoint::Me), "")?;
                self.print(&me, || show::me(&me))
            }
            Command::Log { limit } => {
                let log: show::Log = self.api.admin_get(&Operation::new(Endpoint::Log), &format!("limit={limit}"))?;
                if self.json {
                    out!("{}", self.api.admin_text(&Operation::new(Endpoint::Log), &format!("limit={limit}"))?);
                    return Ok(());
                }
                show::log(&log, self.zone());
                Ok(())
            }
        }
    }

    fn incident(&self, command: IncidentCommand) -> Result<()> {
        match command {
            IncidentCommand::List { all } => {
                let list = if all {
                    self.api.get::<IncidentsDocument<'static>>("/api/v2/incidents.json")?.incidents
                } else {
                    self.summary()?.incidents.clone()
                };
                self.print(&list, || show::events(&list, "no open incidents", self.zone()))
            }
            IncidentCommand::Open { incident, started } => {
                let started = started.map(|s| self.time("--started", &s)).transpose()?;
                let new = NewIncident { started_at: started, ..self.opening(&incident)? };
                let typed = Typed { components: &incident.components.list, ..Typed::default() };
                self.written(self.api.create(&Operation::new(Endpoint::OpenIncident), Some(&new)), &typed)
            }
            IncidentCommand::Update { id, status, body, components, impact, reopen, force, language } => {
                self.event(&id, false)?;
                let changes = self.component_changes(&components.list)?;
                let new = NewUpdate {
                    components: changes,
                    impact: impact.map(Into::into),
                    language: language.language,
                    reopen,
                    force: force.force,
                    ..NewUpdate::new(status.into(), body)
                };
                let typed = Typed { components: &components.list, reopen, ..Typed::default() };
                self.written(self.api.create(&Operation::on(Endpoint::PostIncidentUpdate, &id), Some(&new)), &typed)
            }
            IncidentCommand::Fix { id, body, update } => {
                let event = self.event_any(&id)?;
                // Statuspage's order: the newest update first.
                let update = match update {
                    Some(update) => update,
                    None => {
                        event.incident_updates.first().map(|u| u.id.0.clone()).context("it has no update to fix")?
                    }
                };
                if !event.incident_updates.iter().any(|u| u.id.0 == update) {
                    let ids: Vec<&str> = event.incident_updates.iter().map(|u| u.id.0.as_str()).collect();
                    bail!("{id} has no update {update:?}; its updates: {}", ids.join(", "));
                }
                let endpoint =
                    if event.is_maintenance() { Endpoint::EditMaintenanceUpdate } else { Endpoint::EditIncidentUpdate };
                let op = Operation::update(endpoint, &id, update);
                self.written(self.api.send(&op, Some(&UpdateEdit { body }), None), &Typed::default())
            }
            IncidentCommand::Delete { id, yes } => {
                self.event(&id, false)?;
                if !yes {
                    bail!("deleting {id} removes it from every public page for good: run again with --yes");
                }
                self.written(
                    self.api.send(&Operation::on(Endpoint::DeleteIncident, &id), None::<&()>, None),
                    &Typed::default(),
                )
            }
            IncidentCommand::Resolve { id, body, force, language } => {
                self.event(&id, false)?;
                // The store decides what goes back to operational, on its own state
                // (`shared::command::restored_on_close`), not on a public copy that may lag.
                let new = NewUpdate {
                    language: language.language,
                    force: force.force,
                    restore: true,
                    ..NewUpdate::new(IncidentStatus::Resolved, body)
                };
                self.written(
                    self.api.create(&Operation::on(Endpoint::PostIncidentUpdate, &id), Some(&new)),
                    &Typed::default(),
                )
            }
        }
    }

    fn postmortem(&self, command: PostmortemCommand) -> Result<()> {
        match command {
            PostmortemCommand::Draft { id, file, preview } => {
                // The edge keeps a draft written after publication as a private revision.
                let revision = self.event_any(&id)?.published_postmortem().is_some();
                let draft = self.read_postmortem(&file)?;
                let reply = self.api.send(&Operation::on(Endpoint::WritePostmortem, &id), Some(&draft), None);
                self.written(reply, &Typed::default())?;
                if !self.json {
                    describe(&draft, self.zone());
                }
                let html = self.api.admin_text(&Operation::on(Endpoint::PreviewPostmortem, &id), "")?;
                std::fs::write(&preview, html).with_context(|| format!("cannot write {preview}"))?;
                if revision {
                    eprintln!(
                        "a revision of the published postmortem, as readers will see it once published: {preview} \
                         (readers keep the published text until `sitrep postmortem publish {id}`)"
                    );
                } else {
                    eprintln!("the draft as readers will see it once published: {preview} (readers see nothing yet)");
                }
                Ok(())
            }
            PostmortemCommand::Publish { id, file } => {
                let event = self.event_any(&id)?;
                if !event.status.is_closed() {
                    bail!(
                        "{id} is {}: resolve it before publishing its postmortem (nothing was written; \
                         `sitrep postmortem draft` writes a draft now)",
                        event.status.as_str()
                    );
                }
                if file.is_none() && event.postmortem.is_none() {
                    bail!(
                        "{id} has no postmortem draft: write one with `sitrep postmortem draft {id} --file FILE` (or publish with --file)"
                    );
                }
                if let Some(file) = file {
                    let draft = self.read_postmortem(&file)?;
                    self.api
                        .send::<_, WriteReply>(&Operation::on(Endpoint::WritePostmortem, &id), Some(&draft), None)
                        .map_err(|e| refused(e, &Typed::default()))?;
                    if !self.json {
                        describe(&draft, self.zone());
                    }
                }
                let reply = self.api.create::<(), _>(&Operation::on(Endpoint::PublishPostmortem, &id), None);
                self.written(reply, &Typed::default())
            }
        }
    }

    fn maintenance(&self, command: MaintenanceCommand) -> Result<()> {
        match command {
            MaintenanceCommand::List { all } => {
                let mut list = if all {
                    self.api
                        .get::<MaintenancesDocument<'static>>("/api/v2/scheduled-maintenances.json")?
                        .scheduled_maintenances
                } else {
                    self.summary()?.scheduled_maintenances.clone()
                };
                // By window, soonest first (the documents list them newest-created first).
                list.sort_by_key(|m| (m.scheduled_for, m.created_at));
                self.print(&list, || show::events(&list, "no upcoming or active maintenances", self.zone()))
            }
            MaintenanceCommand::Schedule { name, body, from, end, components, manual, record, language } => {
                // A record is of the past: `09:00` is this morning's, not tomorrow's.
                let bias = if record { when::Bias::Last } else { when::Bias::Next };
                let scheduled_for = self.time_toward("--from", &from, bias)?;
                let scheduled_until =
                    self.window_end(scheduled_for, end.until.as_deref(), end.duration.as_deref(), bias)?;
                let over = scheduled_until.unix_millis() <= self.now.timestamp_millis();
                if over && !record {
                    bail!(
                        "the window is already over (it ended {}): --record adds it to the history as completed \
                         and notifies nobody",
                        show::local(scheduled_until, self.zone())
                    );
                }
                let ids = self.component_ids(&components, "--component ")?;
                let new = NewMaintenance {
                    name,
                    body,
                    scheduled_for,
                    scheduled_until,
                    components: ids,
                    impact: None,
                    language: language.language,
                    auto_transition: Some(!manual),
                    record: record.then_some(true),
                };
                self.written(
                    self.api.create(&Operation::new(Endpoint::ScheduleMaintenance), Some(&new)),
                    &Typed::default(),
                )?;
                if !self.json {
                    self.echo_window(scheduled_for, scheduled_until);
                }
                Ok(())
            }
            MaintenanceCommand::Update { id, status, body, components, force, language } => {
                self.event(&id, true)?;
                let changes = self.component_changes(&components.list)?;
                let new = NewUpdate {
                    components: changes,
                    language: language.language,
                    force: force.force,
                    ..NewUpdate::new(status.into(), body)
                };
                let typed = Typed { components: &components.list, ..Typed::default() };
                self.written(self.api.create(&Operation::on(Endpoint::PostMaintenanceUpdate, &id), Some(&new)), &typed)
            }
            MaintenanceCommand::Reschedule { id, from, until, duration } => {
                let current = self.event(&id, true)?;
                if current.status.is_closed() {
                    let status = if current.cancelled_at.is_some() { "cancelled" } else { current.status.as_str() };
                    bail!("{id} is {status}: its window cannot move any more");
                }
                let from = from.map(|f| self.time("--from", &f)).transpose()?;
                let start = from.or(current.scheduled_for).context("the maintenance has no window")?;
                let until = match (until, duration) {
                    (None, None) => None,
                    (until, duration) => {
                        Some(self.window_end(start, until.as_deref(), duration.as_deref(), when::Bias::Next)?)
                    }
                };
                if from.is_none() && until.is_none() {
                    bail!("say what moves: --from, --until or --duration");
                }
                let edit = EventEdit { scheduled_for: from, scheduled_until: until, ..EventEdit::default() };
                let reply = self.api.send(&Operation::on(Endpoint::EditMaintenance, &id), Some(&edit), None);
                self.written(reply, &Typed::default())
            }
            MaintenanceCommand::Complete { id, body, force, language } => {
                self.event(&id, true)?;
                let new = NewUpdate {
                    language: language.language,
                    force: force.force,
                    ..NewUpdate::new(IncidentStatus::Completed, body)
                };
                self.written(
                    self.api.create(&Operation::on(Endpoint::PostMaintenanceUpdate, &id), Some(&new)),
                    &Typed::default(),
                )
            }
            MaintenanceCommand::Cancel { id, body, language } => {
                self.event(&id, true)?;
                let cancel = Cancellation { body, language: language.language };
                self.written(
                    self.api.create(&Operation::on(Endpoint::CancelMaintenance, &id), Some(&cancel)),
                    &Typed::default(),
                )
            }
            MaintenanceCommand::Delete { id, yes } => {
                self.event(&id, true)?;
                if !yes {
                    bail!("deleting {id} removes it from every public page for good: run again with --yes");
                }
                let op = Operation::on(Endpoint::DeleteMaintenance, &id);
                self.written(self.api.send(&op, None::<&()>, None), &Typed::default())
            }
        }
    }

    fn component(&self, command: ComponentCommand) -> Result<()> {
        match command {
            ComponentCommand::List => {
                let list = self.api.get::<ComponentsDocument<'static>>("/api/v2/components.json")?.components;
                self.print(&list, || show::components(&list))
            }
            ComponentCommand::Add { name, description, group_id, group } => {
                if let Some(parent) = &group_id {
                    let found = self.find_component(parent, "--group-id ")?;
                    if !found.group {
                        bail!("--group-id {parent}: {parent} ({}) is not a group", found.name);
                    }
                }
                let new = NewComponent {
                    name,
                    description,
                    status: None,
                    group_id: group_id.map(ComponentId),
                    group,
                    only_show_if_degraded: false,
                };
                self.written(self.api.create(&Operation::new(Endpoint::CreateComponent), Some(&new)), &Typed::default())
            }
            ComponentCommand::Set { id, status, name, description } => {
                let found = self.find_component(&id, "")?;
                if status.is_some() && found.group {
                    bail!("{id} ({}) is a group: its status follows its components", found.name);
                }
                if status.is_none() && name.is_none() && description.is_none() {
                    bail!("say what changes: --status, --name or --description");
                }
                let edit =
                    ComponentEdit { name, description, status: status.map(Into::into), only_show_if_degraded: None };
                let reply = self.api.send(&Operation::on(Endpoint::EditComponent, &id), Some(&edit), None);
                self.written(reply, &Typed::default())
            }
            ComponentCommand::Remove { id, yes } => {
                let found = self.find_component(&id, "")?;
                if !yes {
                    bail!(
                        "removing {id} ({}) takes it off every page, badge and uptime bar for good; closed \
                         incidents keep naming it: run again with --yes",
                        found.name
                    );
                }
                let reply = self.api.send(&Operation::on(Endpoint::RemoveComponent, &id), None::<&()>, None);
                self.written(reply, &Typed::default())
            }
            ComponentCommand::Order { ids } => {
                self.component_ids(&ids, "")?;
                let order = ComponentOrder { ids: ids.iter().cloned().map(ComponentId).collect() };
                let reply = self.api.send(&Operation::new(Endpoint::ReorderComponents), Some(&order), None);
                self.written(reply, &Typed { ids: &ids, ..Typed::default() })
            }
        }
    }

    /// The page as `summary.json` has it, read once.
    fn summary(&self) -> Result<&Summary<'static>> {
        if let Some(summary) = self.summary.get() {
            return Ok(summary);
        }
        let summary = self.api.get::<Summary<'static>>("/api/v2/summary.json")?;
        Ok(self.summary.get_or_init(|| summary))
    }

    /// The page's time zone (UTC if the page cannot be read or names none this tool knows).
    fn zone(&self) -> Tz {
        self.summary().ok().and_then(|s| when::zone(&s.page.time_zone).ok()).unwrap_or(Tz::UTC)
    }

    /// The page's zone for reading a wall-clock time: an error, never a silent UTC, when unknown.
    fn input_zone(&self) -> Result<Tz> {
        let summary = self.summary().context("cannot read the page's time zone")?;
        when::zone(&summary.page.time_zone).map_err(|e| anyhow!("the page's time zone: {e}"))
    }

    /// The window as scheduled, in the page's zone and, when it differs, the operator's.
    fn echo_window(&self, start: Timestamp, end: Timestamp) {
        let page = self.zone();
        out!("  window: {} to {} ({page}, the page's zone)", show::local(start, page), show::local(end, page));
        let mine = iana_time_zone::get_timezone().ok().and_then(|name| when::zone(&name).ok());
        if let Some(mine) = mine.filter(|mine| *mine != page) {
            out!("          {} to {} ({mine}, yours)", show::local(start, mine), show::local(end, mine));
        }
    }

    /// A time flag's value; a bare clock time is the next one, except when something began.
    fn time(&self, flag: &str, value: &str) -> Result<Timestamp> {
        let bias = if flag == "--started" { when::Bias::Last } else { when::Bias::Next };
        self.time_toward(flag, value, bias)
    }

    /// A time flag's value, a bare clock time taken as the next or the last one.
    fn time_toward(&self, flag: &str, value: &str, bias: when::Bias) -> Result<Timestamp> {
        when::time(flag, value, self.input_zone()?, self.now, bias).map_err(|e| anyhow!(e))
    }

    /// The end of a window that starts at `start`: `--until` or `--duration`.
    fn window_end(
        &self,
        start: Timestamp,
        until: Option<&str>,
        duration: Option<&str>,
        bias: when::Bias,
    ) -> Result<Timestamp> {
        let end = match (until, duration) {
            (Some(until), _) => self.time_toward("--until", until, bias)?,
            (None, Some(length)) => {
                let length = when::duration(length).map_err(|e| anyhow!("--duration {e}"))?;
                start
                    .unix_millis()
                    .checked_add(length.num_milliseconds())
                    .and_then(Timestamp::from_unix_millis)
                    .context("--duration is out of range")?
            }
            (None, None) => bail!("give --until or --duration"),
        };
        if end <= start {
            bail!(
                "the window ends ({}) before it starts ({})",
                show::local(end, self.zone()),
                show::local(start, self.zone())
            );
        }
        Ok(end)
    }

    /// The incident (`maintenance` false) or maintenance `id`, with a suggestion if it is unknown.
    fn event(&self, id: &str, maintenance: bool) -> Result<Incident> {
        let event = self.event_any(id)?;
        let (wanted, other) = if maintenance { ("maintenance", "incident") } else { ("incident", "maintenance") };
        if event.is_maintenance() != maintenance {
            bail!("{id} is {} {other}, not {} {wanted}: use `sitrep {other} ...`", article(other), article(wanted));
        }
        Ok(event)
    }

    /// The stored event (the store's own copy: public copies can lag a write by a minute).
    fn event_any(&self, id: &str) -> Result<Incident> {
        match self.api.admin_get::<IncidentDocument<'static>>(&Operation::on(Endpoint::GetIncident, id), "") {
            Ok(doc) => Ok(doc.incident.into_owned()),
            Err(err) if err.downcast_ref::<Refused>().is_some_and(|r| r.status == 404) => {
                let mut ids: Vec<String> = Vec::new();
                if let Ok(doc) = self.api.get::<IncidentsDocument<'static>>("/api/v2/incidents.json") {
                    ids.extend(doc.incidents.iter().map(|i| i.id.0.clone()));
                }
                if let Ok(doc) = self.api.get::<MaintenancesDocument<'static>>("/api/v2/scheduled-maintenances.json") {
                    ids.extend(doc.scheduled_maintenances.iter().map(|i| i.id.0.clone()));
                }
                let hint = words::suggestion(id, ids.iter().map(String::as_str));
                bail!("no incident or maintenance {id:?} on this page{hint} (ids: sitrep incident list --all)")
            }
            Err(err) => Err(err),
        }
    }

    /// The component `id`; `flag` prefixes the message when it is unknown.
    fn find_component(&self, id: &str, flag: &str) -> Result<Component> {
        let summary = self.summary()?;
        if let Some(found) = summary.components.iter().find(|c| c.id.0 == id) {
            return Ok(found.clone());
        }
        let hint = words::did_you_mean(id, summary.components.iter().map(|c| c.id.as_str()))
            .and_then(|near| summary.components.iter().find(|c| c.id.0 == near))
            .map_or_else(String::new, |c| format!("; did you mean {} ({})?", c.id, c.name));
        let prefix = if flag.is_empty() { String::new() } else { format!("{flag}{id}: ") };
        bail!("{prefix}no component {id:?} on this page{hint} (ids: sitrep component list)")
    }

    fn component_ids(&self, ids: &[String], flag: &str) -> Result<Vec<ComponentId>> {
        every(ids, |id| self.find_component(id, flag).map(|c| c.id))
    }

    /// The incident `--name`, `--body`, `--status`, `--impact`, `--component` and `--language` describe.
    fn opening(&self, incident: &Opening) -> Result<NewIncident> {
        Ok(NewIncident {
            name: incident.name.clone(),
            status: Some(incident.status.into()),
            impact: Some(incident.impact.into()),
            body: incident.body.clone(),
            components: self.component_changes(&incident.components.list)?,
            language: incident.language.language.clone(),
            started_at: None,
        })
    }

    /// `ID=STATUS` values, each checked against the page and the statuses.
    fn component_changes(&self, list: &[String]) -> Result<Vec<ComponentChange>> {
        every(list, |pair| {
            let flag = format!("--component {pair}");
            let (id, status) = pair.split_once('=').with_context(|| format!("{flag}: write ID=STATUS"))?;
            let status = ComponentState::from_str(status, true).map_err(|_| {
                let names: Vec<&str> = ComponentStatus::WIRE.iter().map(|(_, name)| *name).collect();
                let hint = words::suggestion(status, names.iter().copied());
                anyhow!("{flag}: {status:?} is not a component status ({}){hint}", names.join(", "))
            })?;
            let found = self.find_component(id, "--component ")?;
            if found.group {
                bail!("{flag}: {id} ({}) is a group: its status follows its components", found.name);
            }
            Ok(ComponentChange { id: found.id, status: status.into() })
        })
    }

    fn read_postmortem(&self, file: &str) -> Result<PostmortemDraft> {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        postmortem::draft(&text, self.input_zone()?).map_err(|errors| {
            anyhow!("{file} does not fit the postmortem layout (sitrep postmortem --help):\n  {}", errors.join("\n  "))
        })
    }

    /// `sitrep template ...`: the list, or a template write and what it did.
    fn template(&self, command: TemplateCommand) -> Result<()> {
        use sitrep_shared::template::{NewTemplate, TemplateList, TemplateReply};
        let listed: Vec<String>;
        let (reply, typed, what): (Result<TemplateReply>, _, _) = match command {
            TemplateCommand::List => {
                let list: TemplateList = self.api.admin_get(&Operation::new(Endpoint::ListTemplates), "")?;
                return self.print(&list, || show::templates(&list.templates));
            }
            TemplateCommand::Add { template, incident, replace } => {
                let new = NewTemplate { name: template, incident: self.opening(&incident)? };
                listed = incident.components.list;
                let typed = Typed { components: &listed, ..Typed::default() };
                match replace {
                    Some(id) => {
                        (self.api.send(&Operation::on(Endpoint::EditTemplate, id), Some(&new), None), typed, "replaced")
                    }
                    None => (self.api.create(&Operation::new(Endpoint::CreateTemplate), Some(&new)), typed, "added"),
                }
            }
            TemplateCommand::Remove { id } => {
                let op = Operation::on(Endpoint::DeleteTemplate, id);
                (self.api.send::<(), _>(&op, None, None), Typed::default(), "removed")
            }
        };
        let reply = reply.map_err(|err| refused(err, &typed))?;
        self.print(&reply, || {
            let id = reply.template.as_ref().map(|t| t.id.as_str()).or(reply.id.as_deref()).unwrap_or("?");
            out!("{what} template {id}; page version {}", reply.version);
        })
    }

    /// `sitrep subscribers ...`: the list, or a subscription write and what it did.
    fn subscribers(&self, command: SubscribersCommand) -> Result<()> {
        let typed = Typed::default();
        let (reply, what): (Result<SubscriptionReply>, &str) = match command {
            SubscribersCommand::List => {
                let list: SubscriptionList = self.api.admin_get(&Operation::new(Endpoint::ListSubscriptions), "")?;
                return self.print(&list, || show::subscriptions(&list.subscriptions, self.zone()));
            }
            SubscribersCommand::Add { kind, url, components, events } => {
                let new = NewSubscription {
                    kind: kind.into(),
                    url,
                    components: self.component_ids(&components, "--component ")?,
                    events: events.into_iter().map(Into::into).collect(),
                };
                (self.api.create(&Operation::new(Endpoint::CreateSubscription), Some(&new)), "added")
            }
            SubscribersCommand::Pause { id } => (self.subscription_edit(&id, true), "paused"),
            SubscribersCommand::Resume { id } => (self.subscription_edit(&id, false), "resumed"),
            SubscribersCommand::Remove { id } => {
                let op = Operation::on(Endpoint::DeleteSubscription, self.subscription_id(&id)?);
                (self.api.send::<(), _>(&op, None, None), "removed")
            }
        };
        let reply = reply.map_err(|err| refused(err, &typed))?;
        self.print(&reply, || show::subscription_reply(&reply, what))
    }

    fn operator(&self, command: OperatorCommand) -> Result<()> {
        let typed = Typed::default();
        match command {
            OperatorCommand::List => {
                let list: show::Operators = self.api.admin_get(&Operation::new(Endpoint::ListOperators), "")?;
                self.print(&list, || show::operators(&list, self.zone()))
            }
            OperatorCommand::Invite { email, role, name } => {
                let new = NewOperator { email, role: role.into(), name: name.unwrap_or_default() };
                let op = Operation::new(Endpoint::InviteOperator);
                let invited: show::Invited = self.api.create(&op, Some(&new)).map_err(|err| refused(err, &typed))?;
                self.print(&invited, || {
                    let operator = &invited.operator;
                    out!("invited {} ({}) as {}", operator.actor().label(), operator.id, operator.role.as_str());
                    out!(
                        "send them this link; it signs them in once, until {}:",
                        local(invited.expires_at, self.zone())
                    );
                    out!("{}", invited.link);
                })
            }
            OperatorCommand::Role { operator, role, on, inherit: _ } => {
                let id = self.operator_id(&operator)?;
                let role = role.map(Role::from);
                let edit = match &on {
                    // Without a role (--inherit): the page follows the deployment role again.
                    Some(page) => OperatorEdit { pages: [(page.clone(), role)].into(), ..OperatorEdit::default() },
                    None => OperatorEdit { role, ..OperatorEdit::default() },
                };
                let reply: show::OperatorReply = self
                    .api
                    .send(&Operation::on(Endpoint::EditOperator, id), Some(&edit), None)
                    .map_err(|err| refused(err, &typed))?;
                self.print(&reply, || {
                    let operator = &reply.operator;
                    match &on {
                        Some(page) => {
                            out!("{} is {} on page {page}", operator.actor().label(), operator.role_on(page).as_str())
                        }
                        None => out!("{} is now {}", operator.actor().label(), operator.role.as_str()),
                    }
                })
            }
            OperatorCommand::Revoke { operator } => {
                let id = self.operator_id(&operator)?;
                let reply: show::OperatorReply =
                    self.api.send::<(), _>(&Operation::on(Endpoint::RevokeOperator, id), None, None)?;
                self.print(&reply, || {
                    out!("revoked {}: their sessions and tokens ended", reply.operator.actor().label())
                })
            }
            OperatorCommand::Sessions { operator } => {
                let id = self.operator_id(&operator)?;
                let list: show::Sessions = self.api.admin_get(&Operation::on(Endpoint::ListSessions, id), "")?;
                self.print(&list, || show::sessions(&list, self.zone()))
            }
        }
    }

    /// An operator's id from an id or an email address.
    fn operator_id(&self, who: &str) -> Result<String> {
        if !who.contains('@') {
            return Ok(who.to_owned());
        }
        let list: show::Operators = self.api.admin_get(&Operation::new(Endpoint::ListOperators), "")?;
        let wanted = who.trim().to_lowercase();
        list.operators
            .iter()
            .find(|o| o.email == wanted)
            .map(|o| o.id.clone())
            .ok_or_else(|| anyhow!("no operator with the email {who:?} (sitrep operator list)"))
    }

    fn deliveries(&self, command: DeliveriesCommand) -> Result<()> {
        match command {
            DeliveriesCommand::List { subscription } => {
                let op = Operation::on(Endpoint::ListDeliveries, self.subscription_id(&subscription)?);
                let list: DeliveryList = self.api.admin_get(&op, "")?;
                self.print(&list, || show::deliveries(&list, self.zone()))
            }
            DeliveriesCommand::Replay { subscription, event } => {
                let id = self.subscription_id(&subscription)?;
                if sitrep_shared::notify::delivery::position_of(&event).is_none() {
                    bail!(
                        "{event:?} is not an event id: they look like evt_3f9a0c2e7b14d865_12_0 (sitrep deliveries list {id})"
                    );
                }
                let reply: ReplayReply = self.api.send::<(), _>(&Operation::replay(id, event), None, None)?;
                self.print(&reply, || show::replay(&reply))
            }
        }
    }

    /// Checks a subscription id against the list, with "did you mean".
    fn subscription_id(&self, id: &str) -> Result<String> {
        let list: SubscriptionList = self.api.admin_get(&Operation::new(Endpoint::ListSubscriptions), "")?;
        if list.subscriptions.iter().any(|s| s.id == id) {
            return Ok(id.to_owned());
        }
        let hint = words::suggestion(id, list.subscriptions.iter().map(|s| s.id.as_str()));
        bail!("no subscription {id:?}{hint} (ids: sitrep subscribers list)")
    }

    fn subscription_edit(&self, id: &str, paused: bool) -> Result<SubscriptionReply> {
        let op = Operation::on(Endpoint::EditSubscription, self.subscription_id(id)?);
        let edit = SubscriptionEdit { paused: Some(paused), ..SubscriptionEdit::default() };
        self.api.send(&op, Some(&edit), None)
    }

    /// Prints a write's outcome, or its refusal in the operator's words.
    fn written(&self, reply: Result<WriteReply>, typed: &Typed<'_>) -> Result<()> {
        let reply = reply.map_err(|err| refused(err, typed))?;
        self.print(&reply, || show::reply(&reply))
    }

    fn print<T: Serialize>(&self, value: &T, people: impl FnOnce()) -> Result<()> {
        if self.json {
            out!("{}", serde_json::to_string_pretty(value)?);
        } else {
            people();
        }
        Ok(())
    }
}

/// `check` applied to every value, or every refusal on its own line: a run with three mistyped
/// `--component`s names all three, not the first.
fn every<V, T>(values: &[V], check: impl Fn(&V) -> Result<T>) -> Result<Vec<T>> {
    let (done, failed): (Vec<_>, Vec<_>) = values.iter().map(check).partition(Result::is_ok);
    let mut failed: Vec<String> = failed.into_iter().filter_map(|r| r.err()).map(|e| format!("{e:#}")).collect();
    match failed.len() {
        0 => Ok(done.into_iter().filter_map(Result::ok).collect()),
        1 => Err(anyhow!(failed.remove(0))),
        _ => Err(anyhow!("{} mistakes, nothing was sent:\n  - {}", failed.len(), failed.join("\n  - "))),
    }
}

/// A refusal with every problem on its own line, in the operator's words.
fn refused(err: anyhow::Error, typed: &Typed<'_>) -> anyhow::Error {
    match err.downcast_ref::<Refused>() {
        Some(refusal) if !refusal.problems.is_empty() => {
            let lines = words::explain(&refusal.problems, typed);
            anyhow!("refused, nothing was changed:\n  - {}", lines.join("\n  - "))
        }
        _ => err,
    }
}

/// What a postmortem file turned into, so the operator sees nothing was dropped.
fn describe(draft: &PostmortemDraft, zone: Tz) {
    let titles: Vec<&str> = draft.sections.iter().map(|s| s.title.as_str()).collect();
    out!("  summary: {} characters", draft.summary.chars().count());
    out!("  sections: {}", if titles.is_empty() { "none".to_owned() } else { titles.join(", ") });
    out!("  timeline: {} entries", draft.timeline.len());
    let done = draft.action_items.iter().filter(|a| a.done).count();
    out!("  action items: {} ({done} done)", draft.action_items.len());
    if let Some(window) = draft.impact_window {
        out!("  impact: {} to {}", show::local(window.start, zone), show::local(window.end, zone));
    }
    if let Some(language) = &draft.language {
        out!("  language: {language}");
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}
