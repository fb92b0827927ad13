//! The TUI's state and its one update function. Pure: `now` is an argument, writes are
//! returned as [`Effect`]s for the runner to carry out against the [`Backend`](super::Backend).
//!
//! Speed: each ticket is evaluated once ([`ticket::evaluate`]) and its [`Evaluation`] kept in a
//! [`Row`]; a tick only asks each timer for its status at the new instant
//! ([`TimerEval::status_at`](crate::ticket::TimerEval::status_at)) and re-evaluates a ticket
//! when it changes or when its accrued dagsbod may have grown (its deadline's grace ran out or
//! a new day began).

use super::action::Action;
use super::format::{self, parse_when};
use super::keymap::{Code, Key, Keymap, Lookup};
use super::picker::{PickFor, Picked, Picker};
use super::{NewTicket, SuggestionView};
use crate::calendar::{yyyymm, WorkCalendar};
use crate::contract::Contract;
use crate::contracts::Contracts;
use crate::i18n::Lang;
use crate::sla::{self, Status, TimerKind};
use crate::ticket::{
    self, ClassifiedBy, Evaluation, Event, EventKind, State, Step, Surface, Ticket, TicketId,
};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The municipalities of Denmark, for completion on the new-ticket form (with those already in
/// the log).
pub const MUNICIPALITIES: &[&str] = &[
    "Aabenraa",
    "Aalborg",
    "Aarhus",
    "Albertslund",
    "Allerød",
    "Assens",
    "Ballerup",
    "Billund",
    "Bornholm",
    "Brøndby",
    "Brønderslev",
    "Dragør",
    "Egedal",
    "Esbjerg",
    "Faaborg-Midtfyn",
    "Fanø",
    "Favrskov",
    "Faxe",
    "Fredensborg",
    "Fredericia",
    "Frederiksberg",
    "Frederikshavn",
    "Frederikssund",
    "Furesø",
    "Gentofte",
    "Gladsaxe",
    "Glostrup",
    "Greve",
    "Gribskov",
    "Guldborgsund",
    "Haderslev",
    "Halsnæs",
    "Hedensted",
    "Helsingør",
    "Herlev",
    "Herning",
    "Hillerød",
    "Hjørring",
    "Holbæk",
    "Holstebro",
    "Horsens",
    "Hvidovre",
    "Høje-Taastrup",
    "Hørsholm",
    "Ikast-Brande",
    "Ishøj",
    "Jammerbugt",
    "Kalundborg",
    "Kerteminde",
    "Kolding",
    "København",
    "Køge",
    "Langeland",
    "Lejre",
    "Lemvig",
    "Lolland",
    "Lyngby-Taarbæk",
    "Læsø",
    "Mariagerfjord",
    "Middelfart",
    "Morsø",
    "Norddjurs",
    "Nordfyns",
    "Nyborg",
    "Næstved",
    "Odder",
    "Odense",
    "Odsherred",
    "Randers",
    "Rebild",
    "Ringkøbing-Skjern",
    "Ringsted",
    "Roskilde",
    "Rudersdal",
    "Rødovre",
    "Samsø",
    "Silkeborg",
    "Skanderborg",
    "Skive",
    "Slagelse",
    "Solrød",
    "Sorø",
    "Stevns",
    "Struer",
    "Svendborg",
    "Syddjurs",
    "Sønderborg",
    "Thisted",
    "Tønder",
    "Tårnby",
    "Vallensbæk",
    "Varde",
    "Vejen",
    "Vejle",
    "Vesthimmerland",
    "Viborg",
    "Vordingborg",
    "Ærø",
];

/// What the runner must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Read a ticket's events for the detail view, then call [`App::set_events`].
    LoadEvents(TicketId),
    /// Append an event, then call [`App::upsert`] with the ticket (or [`App::fail`]).
    Append {
        id: TicketId,
        kind: EventKind,
        effective: DateTime<Utc>,
    },
    /// Create a ticket, then call [`App::upsert`] with it.
    Create(NewTicket),
    /// Ask the classifier, then call [`App::set_suggestion`].
    Suggest {
        title: String,
        description: String,
    },
    /// Read more tickets from the log, then call [`App::merge`] with them.
    LoadTickets(crate::store::Filter),
    /// Build the month's service report, then call [`App::set_report`].
    LoadReport {
        month: (i32, u32),
        municipality: Option<String>,
    },
    /// Read the mail awaiting a decision, then call [`super::inbox::Inbox::set`].
    LoadInbox,
    /// Write a file (CSV export), then report with [`App::info`].
    Export {
        path: String,
        content: String,
    },
    Quit,
}

/// The views reachable by tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Board,
    Acceptance,
    Breaches,
    Report,
    /// The municipality's mail awaiting a decision.
    Inbox,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Board,
        Tab::Acceptance,
        Tab::Breaches,
        Tab::Report,
        Tab::Inbox,
    ];

    pub fn label(self, l: Lang) -> &'static str {
        match self {
            Tab::Board => l.t("Sager", "Tickets"),
            Tab::Acceptance => l.t("Afventer kommunen", "Awaiting acceptance"),
            Tab::Breaches => l.t("Overskridelser", "Breaches"),
            Tab::Report => l.t("Rapport", "Report"),
            Tab::Inbox => l.t("Indbakke", "Inbox"),
        }
    }
}

/// The board's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Being worked on: open, reacted or paused.
    Open,
    All,
    /// Not closed, with a breached timer.
    Breached,
    Closed,
    /// Resolved, waiting for the municipality's acceptance.
    Awaiting,
    /// Not closed and assigned to the logged-in person.
    Mine,
}

impl Filter {
    pub fn label(self, l: Lang) -> &'static str {
        match self {
            Filter::Open => l.t("åbne", "open"),
            Filter::All => l.t("alle", "all"),
            Filter::Breached => l.t("overskredne", "breached"),
            Filter::Closed => l.t("lukkede", "closed"),
            Filter::Awaiting => l.t("afventer kommunen", "awaiting acceptance"),
            Filter::Mine => l.t("mine", "mine"),
        }
    }

    fn next(self) -> Filter {
        match self {
            Filter::Open => Filter::All,
            Filter::All => Filter::Breached,
            Filter::Breached => Filter::Closed,
            Filter::Closed => Filter::Awaiting,
            Filter::Awaiting => Filter::Mine,
            Filter::Mine => Filter::Open,
        }
    }
}

/// One ticket with its evaluation, kept between frames.
#[derive(Debug, Clone)]
pub struct Row {
    pub ticket: Ticket,
    /// `None` until needed (closed tickets are evaluated lazily).
    pub eval: Option<Evaluation>,
    /// Why the ticket could not be evaluated (an unknown category, a date out of range).
    pub error: Option<String>,
    /// Lower-case text the search looks in.
    haystack: String,
    /// When the accrued dagsbod may next grow: re-evaluate then.
    recheck: Option<DateTime<Utc>>,
}

impl Row {
    fn new(ticket: Ticket) -> Row {
        let haystack = ticket.search_text();
        Row {
            ticket,
            eval: None,
            error: None,
            haystack,
            recheck: None,
        }
    }

    /// Evaluates the ticket at `now` with the contract version it is computed with (domain
    /// §10) and keeps the result (or why it could not be).
    fn evaluate(&mut self, contracts: &Contracts, now: DateTime<Utc>) {
        let Some(terms) = contracts.terms(&self.ticket) else {
            self.eval = None;
            self.recheck = None;
            self.error = Some(format!("unknown contract '{}'", self.ticket.contract));
            return;
        };
        let (contract, cal) = (terms.contract(), terms.calendar());
        match ticket::evaluate(&self.ticket, contract, cal, now) {
            Ok(e) => {
                self.recheck = recheck_at(contract, cal, &self.ticket, &e, now);
                self.eval = Some(e);
                self.error = None;
            }
            Err(e) => {
                self.eval = None;
                self.recheck = None;
                self.error = Some(e.to_string());
            }
        }
    }

    /// The accrued dagsbod.
    pub fn fine(&self) -> u64 {
        self.eval.as_ref().map_or(0, |e| e.fine.total)
    }

    /// The worst status of the timers at `now`.
    pub fn worst_at(&self, now: DateTime<Utc>) -> Option<Status> {
        let e = self.eval.as_ref()?;
        [e.reaction.status_at(now), e.resolution.status_at(now)]
            .into_iter()
            .flatten()
            .min()
    }
}

/// A field of a form.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// A time: empty = now, `HH:MM` = today, or a full date and time.
    Time,
    /// One of the contract's categories (index into `contract.categories`).
    Category(Option<usize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: (&'static str, &'static str),
    pub value: String,
    pub kind: FieldKind,
}

impl Field {
    fn text(da: &'static str, en: &'static str) -> Field {
        Field {
            label: (da, en),
            value: String::new(),
            kind: FieldKind::Text,
        }
    }

    fn time(da: &'static str, en: &'static str) -> Field {
        Field {
            label: (da, en),
            value: String::new(),
            kind: FieldKind::Time,
        }
    }

    pub fn label(&self, l: Lang) -> &'static str {
        l.t(self.label.0, self.label.1)
    }
}

/// What a person may do on the board, by role (domain §9). The database enforces the same
/// rules; the board only offers what will be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rights {
    /// May log new tickets.
    pub create: bool,
    /// The steps offered; `None` for every step.
    pub steps: Option<Vec<Step>>,
    /// Why something is not offered, in the user's language.
    pub why: String,
}

impl Default for Rights {
    fn default() -> Self {
        Rights {
            create: true,
            steps: None,
            why: String::new(),
        }
    }
}

impl Rights {
    /// A municipality's IT contact: accept or reject its resolved tickets, and notes.
    pub fn municipality(l: Lang) -> Rights {
        Rights {
            create: false,
            steps: Some(vec![Step::Accept, Step::Reject, Step::Note]),
            why: l
                .t(
                    "som kommune kan du acceptere eller afvise en løsning og tilføje bemærkninger",
                    "as a municipality you may accept or reject a resolution and add notes",
                )
                .into(),
        }
    }

    /// A supervisor: reads everything, writes notes.
    pub fn supervisor(l: Lang) -> Rights {
        Rights {
            create: false,
            steps: Some(vec![Step::Note, Step::Retract, Step::Edit, Step::Dispute]),
            why: l
                .t(
                    "som supervisor kan du læse alt og tilføje bemærkninger",
                    "as a supervisor you may read everything and add notes",
                )
                .into(),
        }
    }

    pub fn may(&self, step: Step) -> bool {
        self.steps.as_ref().is_none_or(|s| s.contains(&step))
    }

    /// Whether the board offers `action` (the step actions and a new ticket depend on the role).
    pub fn offers(&self, action: Action) -> bool {
        match action {
            Action::NewTicket => self.create,
            Action::React => self.may(Step::React),
            Action::PauseResume => self.may(Step::Pause),
            Action::Resolve => self.may(Step::Resolve),
            Action::Accept => self.may(Step::Accept),
            Action::Reject => self.may(Step::Reject),
            Action::Reclassify => self.may(Step::Reclassify),
            Action::Note => self.may(Step::Note),
            Action::CorrectReportTime => self.may(Step::CorrectReportTime),
            Action::Retract => self.may(Step::Retract),
            Action::Edit => self.may(Step::Edit),
            Action::Dispute => self.may(Step::Dispute),
            _ => true,
        }
    }
}

impl Step {
    pub fn title(self, l: Lang) -> &'static str {
        match self {
            Step::React => l.t("Reaktion", "Reaction"),
            Step::Pause => l.t(
                "Pause (venter på kommunen)",
                "Pause (waiting for the municipality)",
            ),
            Step::Resume => l.t("Genoptag", "Resume"),
            Step::Resolve => l.t("Løs sagen", "Resolve"),
            Step::Accept => l.t("Kommunens accept", "Acceptance"),
            Step::Reject => l.t("Kommunens afvisning", "Rejection"),
            Step::Reclassify => l.t("Skift kategori", "Reclassify"),
            Step::Note => l.t("Bemærkning", "Note"),
            Step::CorrectReportTime => l.t("Ret anmeldelsestidspunkt", "Correct the report time"),
            Step::Assign => l.t("Tildel sagen", "Assign the ticket"),
            Step::Retract => l.t("Træk et skridt tilbage", "Retract a step"),
            Step::Edit => l.t("Ret sagens tekst", "Edit the ticket's text"),
            Step::Dispute => l.t("Bestrid bruddet", "Dispute the breach"),
        }
    }

    fn fields(self) -> Vec<Field> {
        let when = || Field::time("Tidspunkt (tom = nu)", "Time (empty = now)");
        match self {
            Step::React => vec![Field::text("Bemærkning", "Note"), when()],
            Step::Pause => vec![Field::text("Begrundelse", "Reason"), when()],
            Step::Resume => vec![when()],
            Step::Assign => vec![Field::text("Tildel til", "Assign to")],
            Step::Retract => vec![
                Field::text("Hændelse nr.", "Event number"),
                Field::text("Begrundelse", "Reason"),
            ],
            Step::Edit => vec![
                Field::text("Titel", "Title"),
                Field::text("Beskrivelse", "Description"),
                Field::text("Anmelder", "Reporter"),
                Field::text("Begrundelse", "Reason"),
            ],
            Step::Dispute => vec![Field::text("Begrundelse", "Reason")],
            Step::Resolve => vec![Field::text("Løsning", "Resolution note"), when()],
            Step::Accept => vec![
                Field::text("Accepteret af", "Accepted by"),
                Field::text("Skriftlig reference", "Written reference"),
                when(),
            ],
            Step::Reject => vec![
                Field::text("Afvist af", "Rejected by"),
                Field::text("Begrundelse", "Reason"),
                when(),
            ],
            Step::Reclassify => vec![
                Field {
                    label: ("Ny kategori (←/→)", "New category (←/→)"),
                    value: String::new(),
                    kind: FieldKind::Category(None),
                },
                Field::text("Begrundelse", "Reason"),
            ],
            Step::Note => vec![Field::text("Tekst", "Text")],
            Step::CorrectReportTime => vec![
                Field::time("Rigtigt anmeldelsestidspunkt", "Correct report time"),
                Field::text("Begrundelse", "Reason"),
            ],
        }
    }
}

/// A lifecycle form over one ticket. `check` holds the engine's verdict on what is typed.
#[derive(Debug, Clone, PartialEq)]
pub struct StepForm {
    pub step: Step,
    pub id: TicketId,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// `Ok` when the step may be recorded as typed, else the reason (the engine's message).
    pub check: Result<(), String>,
    /// The agent has typed or chosen something: quitting asks first.
    pub edited: bool,
}

/// The new-ticket form's fields, in order.
pub const NEW_MUNICIPALITY: usize = 0;
pub const NEW_REPORTER: usize = 1;
pub const NEW_TITLE: usize = 2;
pub const NEW_DESCRIPTION: usize = 3;
pub const NEW_CATEGORY: usize = 4;
pub const NEW_REPORTED: usize = 5;

/// The new-ticket form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewForm {
    pub fields: Vec<Field>,
    pub focus: usize,
    pub suggestion: SuggestionView,
    /// The agent chose the category (rather than taking the suggestion).
    pub picked: bool,
    pub check: Result<(), String>,
    /// The agent has typed or chosen something: quitting asks first.
    pub edited: bool,
}

/// The ticket open in the detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub id: TicketId,
    pub events: Vec<Event>,
    /// The contact people of the ticket's municipality.
    pub contacts: Vec<crate::contact::Contact>,
    pub scroll: u16,
}

/// One breached timer in the breach list.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub id: TicketId,
    pub municipality: String,
    pub title: String,
    pub category: String,
    pub timer: TimerKind,
    /// The target's own clock, which the overrun is measured and shown in.
    pub clock: sla::Clock,
    pub deadline: DateTime<Utc>,
    /// How far past the deadline, in the target's own clock (until done, or now).
    pub overrun: TimeDelta,
    /// The dagsbod (resolution timers only).
    pub fine: u64,
    /// The deadline fell before the month, and the dagsbod is still accruing in it (or not
    /// settled: the ticket is not closed). Listed under the month's own breaches.
    pub earlier: bool,
    /// The ticket is closed (its dagsbod is settled; the footer counts only the others).
    pub closed: bool,
    /// A supervisor disputes the breach: the reason (domain §9).
    pub disputed: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreachSort {
    Amount,
    Deadline,
}

/// The breach list of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Breaches {
    pub month: NaiveDate,
    pub sort: BreachSort,
    pub list: Vec<Breach>,
    /// (municipality, dagsbod, breaches), largest first.
    pub by_municipality: Vec<(String, u64, usize)>,
    /// (category id, dagsbod, breaches), largest first.
    pub by_category: Vec<(String, u64, usize)>,
    /// The dagsbod of the month's own breaches (booked in this month, as in the report).
    pub total: u64,
    /// The dagsbod still accruing from deadlines before the month.
    pub earlier_total: u64,
    /// Of both, the dagsbod of tickets not closed: for this month, the footer's figure.
    pub not_closed_total: u64,
    pub selected: usize,
}

/// Counts for the footer, over tickets not closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub open: usize,
    pub awaiting: usize,
    pub at_risk: usize,
    pub breached: usize,
    pub dagsbod: u64,
}

/// Everything the TUI shows.
pub struct App<'a> {
    pub contract: &'a Contract,
    pub cal: &'a WorkCalendar,
    /// The terms each ticket is computed with: the version the log keeps (domain §10).
    contracts: Contracts<'a>,
    pub lang: Lang,
    pub keymap: Keymap,
    pub user: String,
    /// What the logged-in person may do (a shared log's role); everything on a local log.
    pub rights: Rights,
    /// The link to other people's changes (a shared log) is lost for now.
    pub offline: bool,
    /// Back from offline: the tickets being worked on are to be read again.
    pub resync: bool,
    pub now: DateTime<Utc>,
    /// A full service-window day, for `0,5 arbejdsdage`.
    pub full_day: TimeDelta,
    pub rows: Vec<Row>,
    index: HashMap<TicketId, usize>,
    pub municipalities: Vec<String>,
    pub tab: Tab,
    pub filter: Filter,
    pub municipality: Option<String>,
    pub search: String,
    pub searching: bool,
    /// The board: indices into `rows`, nearest running deadline first.
    pub board: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    /// Rows of the board's table that fit the terminal.
    pub page: usize,
    pub width: u16,
    pub height: u16,
    /// The acceptance queue: indices into `rows`, by municipality.
    pub acceptance: Vec<usize>,
    pub acc_selected: usize,
    pub breaches: Breaches,
    /// The Rapport tab: its own month and municipality, and the report built for them.
    pub rapport: super::rapport::Rapport,
    /// The Indbakke's mail and cursor.
    pub inbox: super::inbox::Inbox,
    pub detail: Option<Detail>,
    pub form: Option<StepForm>,
    pub new: Option<NewForm>,
    /// The municipality picker, while open.
    pub picker: Option<super::picker::Picker>,
    pub help: bool,
    pub help_scroll: u16,
    /// The last message: (text, is an error).
    pub status: Option<(String, bool)>,
    /// Quit was asked for while a form held typed text, and the agent was asked to confirm:
    /// the next quit quits; any other action takes the question back.
    pub quit_asked: bool,
    pub totals: Totals,
    pending: Vec<Key>,
    /// The start's read of the log is not complete: the first frame is drawn before the log
    /// is read, and the board before the tickets awaiting acceptance are (the runner clears it
    /// when [`initial_load`] is merged). The board and the footer say so.
    pub loading: bool,
    /// What has been read from the log beyond the start's load: every ticket, or the breach
    /// candidates of these months (`yyyymm`).
    loaded_all: bool,
    loaded_months: BTreeSet<u32>,
}

/// What the runner reads first and draws the board with: the tickets being worked on, whose
/// timers run and decide the board's order (on a log of a million tickets, about a thousand
/// beside a hundred thousand that await acceptance).
pub fn first_load() -> crate::store::Filter {
    crate::store::Filter::Unresolved
}

/// What the runner reads once the board is on screen: the tickets not closed and the finished
/// tickets breached in this month (the Brud tab opens on it). A million closed tickets are not
/// read until the agent asks for all or closed tickets or another month.
pub fn initial_load(cal: &WorkCalendar, now: DateTime<Utc>) -> crate::store::Filter {
    crate::store::Filter::BreachCandidates(Some(yyyymm(cal.local(now).date())))
}

impl<'a> App<'a> {
    /// Builds the app over the tickets, evaluating every ticket not closed (closed ones are
    /// evaluated when a view needs them).
    pub fn new(
        contract: &'a Contract,
        cal: &'a WorkCalendar,
        lang: Lang,
        keymap: Keymap,
        tickets: Vec<Ticket>,
        now: DateTime<Utc>,
    ) -> App<'a> {
        let month = first_of_month(cal.local(now).date());
        let mut app = App {
            contract,
            cal,
            contracts: Contracts::only(contract, cal),
            lang,
            keymap,
            user: "agent".into(),
            rights: Rights::default(),
            offline: false,
            resync: false,
            now,
            full_day: format::full_window_day(contract),
            rows: Vec::new(),
            index: HashMap::new(),
            municipalities: Vec::new(),
            tab: Tab::Board,
            filter: Filter::Open,
            municipality: None,
            search: String::new(),
            searching: false,
            board: Vec::new(),
            selected: 0,
            offset: 0,
            page: 20,
            width: 120,
            height: 40,
            acceptance: Vec::new(),
            acc_selected: 0,
            breaches: Breaches {
                month,
                sort: BreachSort::Amount,
                list: Vec::new(),
                by_municipality: Vec::new(),
                by_category: Vec::new(),
                total: 0,
                earlier_total: 0,
                not_closed_total: 0,
                selected: 0,
            },
            rapport: super::rapport::Rapport::new(month),
            inbox: super::inbox::Inbox::default(),
            detail: None,
            form: None,
            new: None,
            picker: None,
            help: false,
            help_scroll: 0,
            status: None,
            quit_asked: false,
            totals: Totals::default(),
            pending: Vec::new(),
            loading: false,
            loaded_all: false,
            loaded_months: BTreeSet::from([yyyymm(month)]),
        };
        app.merge(tickets);
        app
    }

    /// Tells the app the terminal's size (for paging and the visible window of rows).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.page = super::views::board_page(height);
        self.scroll_into_view();
    }

    /// Computes each ticket with the contract version the log keeps for it (domain §10),
    /// rather than with the contract file the board was started with; rows are evaluated again.
    pub fn set_contracts(&mut self, contracts: Contracts<'a>) {
        self.contracts = contracts;
        for r in &mut self.rows {
            r.eval = None;
            r.error = None;
        }
        let rows = std::mem::take(&mut self.rows);
        self.index.clear();
        self.merge(rows.into_iter().map(|r| r.ticket).collect());
    }

    fn evaluate(&mut self, i: usize) {
        self.rows[i].evaluate(&self.contracts, self.now);
    }

    fn ensure(&mut self, i: usize) {
        if self.rows[i].eval.is_none() && self.rows[i].error.is_none() {
            self.evaluate(i);
        }
    }

    pub fn row(&self, id: TicketId) -> Option<&Row> {
        self.index.get(&id).map(|i| &self.rows[*i])
    }

    /// The ticket under the cursor in the current view.
    pub fn current(&self) -> Option<TicketId> {
        if let Some(d) = &self.detail {
            return Some(d.id);
        }
        match self.tab {
            Tab::Board => self
                .board
                .get(self.selected)
                .map(|i| self.rows[*i].ticket.id),
            Tab::Acceptance => self
                .acceptance
                .get(self.acc_selected)
                .map(|i| self.rows[*i].ticket.id),
            Tab::Breaches => self.breaches.list.get(self.breaches.selected).map(|b| b.id),
            Tab::Report => None,
            Tab::Inbox => self.inbox.current().map(|m| m.ticket),
        }
    }

    /// Whether typed characters go to a text field (not to the keymap).
    pub fn typing(&self) -> bool {
        if self.help {
            return false;
        }
        if let Some(f) = &self.form {
            return !matches!(f.fields[f.focus].kind, FieldKind::Category(_));
        }
        if let Some(n) = &self.new {
            return !matches!(n.fields[n.focus].kind, FieldKind::Category(_));
        }
        self.searching || self.picker.is_some()
    }

    /// Turns a key press into an action: typed characters while a text field has the focus,
    /// otherwise the keymap (waiting for the rest of a sequence like `g g`).
    pub fn key(&mut self, key: Key) -> Option<Action> {
        // Ctrl-C always quits, whatever the keymap says (update asks first when a form holds
        // typed text).
        if key == Key::CTRL_C {
            self.pending.clear();
            return Some(Action::Quit);
        }
        if self.typing() && self.pending.is_empty() {
            match key.code {
                Code::Char(c) if !key.ctrl && !key.alt => return Some(Action::Input(c)),
                Code::Backspace => return Some(Action::Backspace),
                _ => {}
            }
        }
        self.pending.push(key);
        match self.keymap.lookup(&self.pending) {
            Lookup::Action(a) => {
                self.pending.clear();
                Some(a)
            }
            Lookup::Pending => None,
            Lookup::None => {
                let retry = self.pending.len() > 1;
                self.pending.clear();
                if retry {
                    self.key(key)
                } else {
                    None
                }
            }
        }
    }

    /// Quit while a form holds what the agent typed: say so once; the next quit quits.
    fn ask_before_quitting(&mut self) {
        self.quit_asked = true;
        let m = self.lang.t(
            "Formularen er ikke gemt. Tryk Ctrl-C igen for at afslutte uden at gemme, Esc for at lukke formularen, eller skriv videre.",
            "The form is not saved. Press Ctrl-C again to quit without saving, Esc to close the form, or type on.",
        );
        self.fail(m);
    }

    /// The error of the last step, or a note.
    pub fn fail(&mut self, message: impl Into<String>) {
        self.status = Some((message.into(), true));
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.status = Some((message.into(), false));
    }

    /// Adds tickets read from the log that the app does not hold yet (those it holds are as
    /// fresh: every write goes through it), then recomputes the views once.
    pub fn merge(&mut self, tickets: Vec<Ticket>) {
        let first = self.rows.len();
        for t in tickets {
            if self.index.contains_key(&t.id) {
                continue;
            }
            self.index.insert(t.id, self.rows.len());
            self.rows.push(Row::new(t));
        }
        // Every ticket not closed is evaluated once; on all cores, since the board waits for
        // it (100 000 open tickets take a third of a second on one).
        let (contracts, now) = (&self.contracts, self.now);
        let fresh = &mut self.rows[first..];
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = fresh.len().div_ceil(cores).max(2_000);
        std::thread::scope(|s| {
            for part in fresh.chunks_mut(chunk) {
                s.spawn(move || {
                    for r in part.iter_mut().filter(|r| r.ticket.state != State::Closed) {
                        r.evaluate(contracts, now);
                    }
                });
            }
        });
        self.refresh_municipalities();
        self.refilter();
        self.refresh_acceptance();
        self.retotal();
        if self.tab == Tab::Breaches {
            self.refresh_breaches();
        }
    }

    /// The read the board's filter needs, if it was not done yet.
    fn load_for_filter(&mut self) -> Vec<Effect> {
        if matches!(self.filter, Filter::All | Filter::Closed) && !self.loaded_all {
            self.loaded_all = true;
            return vec![Effect::LoadTickets(crate::store::Filter::All)];
        }
        Vec::new()
    }

    /// The read the Brud month needs, if it was not done yet.
    fn load_for_month(&mut self) -> Vec<Effect> {
        let m = yyyymm(self.breaches.month);
        if self.loaded_all || !self.loaded_months.insert(m) {
            return Vec::new();
        }
        vec![Effect::LoadTickets(crate::store::Filter::BreachCandidates(
            Some(m),
        ))]
    }

    /// A ticket was created or changed: re-evaluate that one row and put it on the board.
    pub fn upsert(&mut self, t: Ticket) {
        let id = t.id;
        let i = match self.index.get(&id) {
            Some(i) => {
                let i = *i;
                self.rows[i] = Row::new(t);
                i
            }
            None => {
                self.rows.push(Row::new(t));
                let i = self.rows.len() - 1;
                self.index.insert(id, i);
                i
            }
        };
        self.evaluate(i);
        let m = self.rows[i].ticket.municipality.clone();
        if !self.municipalities.contains(&m) {
            self.municipalities.push(m);
            self.municipalities.sort();
        }
        self.refilter();
        if let Some(pos) = self.board.iter().position(|r| *r == i) {
            if self.detail.is_none() && self.tab == Tab::Board {
                self.selected = pos;
            }
        }
        self.scroll_into_view();
        self.refresh_acceptance();
        if self.tab == Tab::Breaches {
            self.refresh_breaches();
        }
        self.retotal();
    }

    /// The events of the ticket in the detail view arrived.
    pub fn set_events(&mut self, id: TicketId, events: Vec<Event>) {
        if let Some(d) = self.detail.as_mut().filter(|d| d.id == id) {
            d.events = events;
        }
    }

    /// The contact people of the shown ticket's municipality.
    pub fn set_contacts(&mut self, id: TicketId, contacts: Vec<crate::contact::Contact>) {
        if let Some(d) = self.detail.as_mut().filter(|d| d.id == id) {
            d.contacts = contacts;
        }
    }

    /// The classifier's answer for the new-ticket form. A suggestion at least as sure as the
    /// contract's `suggest_threshold` is pre-selected; a weaker one is shown, but the category
    /// stays unchosen until the agent picks one.
    pub fn set_suggestion(&mut self, s: SuggestionView) {
        let cats = &self.contract.categories;
        let sure = s.confidence >= self.contract.suggest_threshold;
        if let Some(n) = self.new.as_mut() {
            if !n.picked {
                let idx = s
                    .category
                    .as_ref()
                    .filter(|_| sure)
                    .and_then(|c| cats.iter().position(|k| &k.id == c));
                n.fields[NEW_CATEGORY].kind = FieldKind::Category(idx);
            }
            n.suggestion = s;
        }
        self.check_new();
    }

    fn refresh_municipalities(&mut self) {
        let mut m: Vec<String> = MUNICIPALITIES.iter().map(|s| s.to_string()).collect();
        m.extend(self.rows.iter().map(|r| r.ticket.municipality.clone()));
        m.sort();
        m.dedup();
        self.municipalities = m;
    }

    /// The municipalities that appear in the log (for the municipality filter).
    pub fn logged_municipalities(&self) -> Vec<String> {
        let mut m: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.ticket.municipality.clone())
            .collect();
        m.sort();
        m.dedup();
        m
    }

    /// Completions of what is typed in the municipality field.
    pub fn completions(&self, typed: &str) -> Vec<&str> {
        let t = typed.trim().to_lowercase();
        if t.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<&str> = self
            .municipalities
            .iter()
            .filter(|m| m.to_lowercase().starts_with(&t))
            .map(String::as_str)
            .collect();
        out.extend(
            self.municipalities
                .iter()
                .filter(|m| {
                    let l = m.to_lowercase();
                    !l.starts_with(&t) && l.contains(&t)
                })
                .map(String::as_str),
        );
        out.truncate(6);
        out
    }

    fn matches(&self, i: usize) -> bool {
        let r = &self.rows[i];
        let t = &r.ticket;
        let by_state = match self.filter {
            Filter::Open => t.is_open(),
            Filter::All => true,
            Filter::Closed => t.state == State::Closed,
            Filter::Awaiting => t.awaiting_acceptance(),
            Filter::Mine => t.state != State::Closed && t.assignee.as_ref() == Some(&self.user),
            Filter::Breached => {
                t.state != State::Closed && r.worst_at(self.now) == Some(Status::Breached)
            }
        };
        by_state
            && self
                .municipality
                .as_ref()
                .is_none_or(|m| &t.municipality == m)
            && ticket::search_matches(&r.haystack, &self.search)
    }

    /// Recomputes the board's rows after a change of filter, search or tickets; keeps the
    /// selected ticket selected when it is still shown.
    pub fn refilter(&mut self) {
        let keep = self.board.get(self.selected).copied();
        let mut board: Vec<usize> = (0..self.rows.len()).filter(|i| self.matches(*i)).collect();
        let key = |i: &usize| {
            let r = &self.rows[*i];
            let next = r.eval.as_ref().and_then(|e| e.next_deadline());
            (next.is_none(), next, std::cmp::Reverse(r.ticket.id))
        };
        board.sort_by_cached_key(key);
        self.board = board;
        self.selected = keep
            .and_then(|k| self.board.iter().position(|i| *i == k))
            .unwrap_or(0)
            .min(self.board.len().saturating_sub(1));
        self.scroll_into_view();
    }

    fn scroll_into_view(&mut self) {
        let page = self.page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        let max_offset = self.board.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
        let end = (self.offset + page).min(self.board.len());
        for k in self.offset..end {
            let i = self.board[k];
            self.ensure(i);
        }
    }

    fn refresh_acceptance(&mut self) {
        let mut v: Vec<usize> = (0..self.rows.len())
            .filter(|i| self.rows[*i].ticket.awaiting_acceptance())
            .collect();
        v.sort_by(|a, b| {
            let (a, b) = (&self.rows[*a].ticket, &self.rows[*b].ticket);
            (&a.municipality, a.resolved, a.id).cmp(&(&b.municipality, b.resolved, b.id))
        });
        self.acceptance = v;
        self.acc_selected = self
            .acc_selected
            .min(self.acceptance.len().saturating_sub(1));
    }

    /// Recomputes the breach list of the chosen month: the timers whose deadline fell in it,
    /// then the resolution timers of earlier deadlines whose dagsbod still accrued in the
    /// month (not resolved before it began) or is not settled (the ticket is not closed).
    pub fn refresh_breaches(&mut self) {
        let month = self.breaches.month;
        let from = self.cal.to_utc(month.and_time(NaiveTime::MIN));
        let next = next_month(month);
        let to = self.cal.to_utc(next.and_time(NaiveTime::MIN));
        // A deadline lies at most a few weeks after the report (30 working days and pauses
        // are far less than a year): look only at closed tickets reported in that span (the
        // others are all evaluated already).
        let earliest = from - TimeDelta::days(366);
        let mut list = Vec::new();
        for i in 0..self.rows.len() {
            let rep = self.rows[i].ticket.reported;
            let closed = self.rows[i].ticket.state == State::Closed;
            if rep >= to || (closed && rep < earliest) {
                continue;
            }
            self.ensure(i);
            let r = &self.rows[i];
            let Some(e) = &r.eval else { continue };
            for (kind, t) in [
                (TimerKind::Reaction, &e.reaction),
                (TimerKind::Resolution, &e.resolution),
            ] {
                let (Some(timer), Some(deadline)) = (t.timer, t.deadline) else {
                    continue;
                };
                if deadline >= to || t.status_at(self.now) != Some(Status::Breached) {
                    continue;
                }
                let earlier = deadline < from;
                if earlier {
                    let accrues = t.done.is_none_or(|d| d >= from) || !closed;
                    if kind != TimerKind::Resolution || e.fine.total == 0 || !accrues {
                        continue;
                    }
                }
                let end = t.done.unwrap_or(if t.paused { e.now } else { self.now });
                let overrun =
                    sla::measure(self.cal, timer.clock, deadline, end).unwrap_or_default();
                list.push(Breach {
                    id: r.ticket.id,
                    municipality: r.ticket.municipality.clone(),
                    title: r.ticket.title.clone(),
                    category: r.ticket.category.clone(),
                    timer: kind,
                    clock: timer.clock,
                    deadline,
                    overrun,
                    fine: if kind == TimerKind::Resolution {
                        e.fine.total
                    } else {
                        0
                    },
                    earlier,
                    closed,
                    disputed: r.ticket.disputed.as_ref().map(|v| v.text.clone()),
                });
            }
        }
        let group = |key: &dyn Fn(&Breach) -> String| {
            let mut m: BTreeMap<String, (u64, usize)> = BTreeMap::new();
            for b in list.iter().filter(|b| !b.earlier) {
                let e = m.entry(key(b)).or_default();
                e.0 += b.fine;
                e.1 += 1;
            }
            let mut v: Vec<(String, u64, usize)> =
                m.into_iter().map(|(k, (a, n))| (k, a, n)).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
            v
        };
        self.breaches.by_municipality = group(&|b| b.municipality.clone());
        self.breaches.by_category = group(&|b| b.category.clone());
        self.breaches.total = list.iter().filter(|b| !b.earlier).map(|b| b.fine).sum();
        self.breaches.earlier_total = list.iter().filter(|b| b.earlier).map(|b| b.fine).sum();
        self.breaches.not_closed_total = list.iter().filter(|b| !b.closed).map(|b| b.fine).sum();
        self.breaches.list = list;
        self.sort_breaches();
    }

    fn sort_breaches(&mut self) {
        match self.breaches.sort {
            // The month's own breaches first, then those from earlier deadlines.
            BreachSort::Amount => self.breaches.list.sort_by(|a, b| {
                a.earlier
                    .cmp(&b.earlier)
                    .then(b.fine.cmp(&a.fine))
                    .then(b.overrun.cmp(&a.overrun))
                    .then(a.id.cmp(&b.id))
            }),
            BreachSort::Deadline => self
                .breaches
                .list
                .sort_by_key(|b| (b.earlier, b.deadline, b.id)),
        }
        self.breaches.selected = self
            .breaches
            .selected
            .min(self.breaches.list.len().saturating_sub(1));
    }

    /// Recomputes the footer's totals over the tickets not closed (cheap: statuses only).
    fn retotal(&mut self) {
        let mut t = Totals::default();
        for r in &self.rows {
            match r.ticket.state {
                State::Closed => continue,
                State::Resolved => t.awaiting += 1,
                _ => t.open += 1,
            }
            match r.worst_at(self.now) {
                Some(Status::Breached) => t.breached += 1,
                Some(Status::AtRisk) => t.at_risk += 1,
                _ => {}
            }
            t.dagsbod += r.fine();
        }
        self.totals = t;
    }

    /// The clock moved: statuses only; tickets whose dagsbod may have grown are re-evaluated.
    fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        let mut changed = false;
        for i in 0..self.rows.len() {
            if self.rows[i].recheck.is_some_and(|r| r <= now) {
                self.evaluate(i);
                changed = true;
            }
        }
        if changed && self.tab == Tab::Breaches {
            self.refresh_breaches();
        }
        self.retotal();
    }

    fn open_form(&mut self, step: Step) {
        if !self.rights.may(step) {
            let why = self.rights.why.clone();
            self.fail(why);
            return;
        }
        let Some(id) = self.current() else {
            self.fail(self.lang.t("Ingen sag valgt", "No ticket selected"));
            return;
        };
        let Some(row) = self.row(id) else { return };
        let t = &row.ticket;
        if step.is_correction() && self.detail.as_ref().is_none_or(|d| d.id != id) {
            self.fail(self.lang.t(
                "rettelser tilbydes i sagsvisningen: åbn sagen med enter",
                "corrections are offered in the ticket view: open the ticket with enter",
            ));
            return;
        }
        if !step.is_correction() && !t.possible().contains(&step.command()) {
            // Ask the engine why, with plausible fields, so its message is the one shown.
            let dummy = dummy_kind(step, t);
            let msg = match t.check(&dummy, self.now, self.now) {
                Err(e) => e.message_on(self.lang, &self.contract.tz, Surface::Form),
                Ok(()) => {
                    let l = self.lang;
                    let possible: Vec<&str> = Step::ALL
                        .iter()
                        .filter(|s| t.possible().contains(&s.command()))
                        .map(|s| s.words(l))
                        .collect();
                    format!(
                        "{} {} {}: {} {}",
                        l.t("sag", "ticket"),
                        t.id,
                        l.t("er", "is"),
                        t.state.label(l),
                        if possible.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; {} {}",
                                l.t("muligt nu:", "possible now:"),
                                possible.join(", ")
                            )
                        }
                    )
                }
            };
            self.fail(msg);
            return;
        }
        let mut form = StepForm {
            step,
            id,
            fields: step.fields(),
            focus: 0,
            check: Ok(()),
            edited: false,
        };
        if step == Step::Edit {
            for (i, text) in [&t.title, &t.description, &t.reporter]
                .into_iter()
                .enumerate()
            {
                form.fields[i].value = text.clone();
            }
        }
        if step == Step::Retract {
            // The latest step still in force, the one that can be withdrawn.
            let events = self
                .detail
                .as_ref()
                .map(|d| d.events.as_slice())
                .unwrap_or_default();
            let retracted = crate::ticket::retractions(events);
            if let Some(e) = events.iter().rev().find(|e| {
                crate::ticket::retraction(events, e.seq, "-").is_ok()
                    && !retracted.iter().any(|r| r.0 == e.seq)
            }) {
                form.fields[0].value = e.seq.to_string();
            }
        }
        if step == Step::CorrectReportTime {
            form.fields[0].value = self
                .cal
                .local(t.reported)
                .format("%Y-%m-%d %H:%M")
                .to_string();
        }
        self.form = Some(form);
        self.status = None;
        self.check_form();
    }

    /// Builds the event a step form describes.
    fn build_step(&self, f: &StepForm) -> Result<(EventKind, DateTime<Utc>), String> {
        let row = self.row(f.id).ok_or("ticket not found")?;
        let t = &row.ticket;
        let v = |i: usize| f.fields[i].value.trim().to_string();
        let when = |i: usize| parse_when(&f.fields[i].value, self.cal, self.now, self.lang);
        let (kind, effective) = match f.step {
            Step::React => (EventKind::Reacted { note: v(0) }, when(1)?),
            Step::Pause => (EventKind::Paused { reason: v(0) }, when(1)?),
            Step::Resume => (EventKind::Resumed, when(0)?),
            Step::Resolve => (EventKind::Resolved { note: v(0) }, when(1)?),
            Step::Accept => (
                EventKind::Accepted {
                    by: v(0),
                    reference: v(1),
                },
                when(2)?,
            ),
            Step::Reject => (
                EventKind::Rejected {
                    by: v(0),
                    reason: v(1),
                },
                when(2)?,
            ),
            Step::Reclassify => {
                let FieldKind::Category(Some(c)) = f.fields[0].kind else {
                    return Err(self
                        .lang
                        .t(
                            "vælg den nye kategori med ←/→",
                            "choose the new category with ←/→",
                        )
                        .into());
                };
                (
                    EventKind::Reclassified {
                        from: t.category.clone(),
                        to: self.contract.categories[c].id.clone(),
                        reason: v(1),
                    },
                    self.now,
                )
            }
            Step::Note => {
                if v(0).is_empty() {
                    return Err(self.lang.t("skriv bemærkningen", "write the note").into());
                }
                (EventKind::Note { text: v(0) }, self.now)
            }
            Step::Assign => (EventKind::Assigned { to: v(0) }, self.now),
            Step::Retract => {
                let events = self
                    .detail
                    .as_ref()
                    .filter(|d| d.id == f.id)
                    .map(|d| d.events.as_slice())
                    .unwrap_or_default();
                let seq = v(0).trim_start_matches('#').parse::<u32>().map_err(|_| {
                    self.lang
                        .t(
                            "skriv nummeret på hændelsen (nr. i forløbet)",
                            "type the event's number (as in the timeline)",
                        )
                        .to_string()
                })?;
                let kind = crate::ticket::retraction(events, seq, &v(1))
                    .map_err(|e| e.message_on(self.lang, &self.contract.tz, Surface::Form))?;
                (kind, self.now)
            }
            Step::Edit => {
                // An unchanged field is left out: only what was mended is in the event.
                let changed = |i: usize, was: &str| Some(v(i)).filter(|x| x != was.trim());
                (
                    EventKind::Edited {
                        title: changed(0, &t.title),
                        description: changed(1, &t.description),
                        reporter: changed(2, &t.reporter),
                        reason: v(3),
                    },
                    self.now,
                )
            }
            Step::Dispute => (EventKind::BreachDisputed { reason: v(0) }, self.now),
            Step::CorrectReportTime => {
                let to = parse_when(&f.fields[0].value, self.cal, self.now, self.lang)?;
                (
                    EventKind::ReportTimeCorrected {
                        from: t.reported,
                        to,
                        reason: v(1),
                    },
                    self.now,
                )
            }
        };
        t.check(&kind, effective, self.now)
            .map_err(|e| e.message_on(self.lang, &self.contract.tz, Surface::Form))?;
        Ok((kind, effective))
    }

    fn check_form(&mut self) {
        if let Some(f) = &self.form {
            let check = self.build_step(f).map(|_| ());
            if let Some(f) = self.form.as_mut() {
                f.check = check;
            }
        }
    }

    fn open_new(&mut self) {
        let mut fields = vec![
            Field::text("Kommune", "Municipality"),
            Field::text("Anmelder", "Reporter"),
            Field::text("Titel", "Title"),
            Field::text("Beskrivelse", "Description"),
            Field {
                label: ("Kategori (←/→)", "Category (←/→)"),
                value: String::new(),
                kind: FieldKind::Category(None),
            },
            Field::time("Anmeldt (tom = nu)", "Reported (empty = now)"),
        ];
        if let Some(m) = &self.municipality {
            fields[NEW_MUNICIPALITY].value = m.clone();
        }
        self.new = Some(NewForm {
            fields,
            focus: 0,
            suggestion: SuggestionView::default(),
            picked: false,
            check: Ok(()),
            edited: false,
        });
        self.status = None;
        self.check_new();
    }

    fn build_new(&self, n: &NewForm) -> Result<NewTicket, String> {
        let l = self.lang;
        let v = |i: usize| n.fields[i].value.trim().to_string();
        if v(NEW_MUNICIPALITY).is_empty() {
            return Err(l.t("skriv kommunen", "give the municipality").into());
        }
        if v(NEW_TITLE).is_empty() {
            return Err(l.t("skriv en titel", "give a title").into());
        }
        let FieldKind::Category(Some(c)) = n.fields[NEW_CATEGORY].kind else {
            if n.suggestion.category.is_some() {
                return Err(format!(
                    "{} ({:.0} %): {}",
                    l.t("forslaget er usikkert", "the suggestion is unsure"),
                    n.suggestion.confidence * 100.0,
                    l.t(
                        "vælg kategorien selv med ←/→ i kategorifeltet",
                        "choose the category yourself with ←/→ in the category field",
                    )
                ));
            }
            return Err(l
                .t(
                    "vælg en kategori med ←/→ i kategorifeltet",
                    "choose a category with ←/→ in the category field",
                )
                .into());
        };
        let reported = parse_when(&n.fields[NEW_REPORTED].value, self.cal, self.now, self.lang)?;
        if reported > self.now {
            return Err(l
                .t(
                    "anmeldelsestidspunktet ligger i fremtiden",
                    "the report time lies in the future",
                )
                .into());
        }
        let category = self.contract.categories[c].id.clone();
        let auto = !n.picked && n.suggestion.category.as_deref() == Some(category.as_str());
        Ok(NewTicket {
            municipality: v(NEW_MUNICIPALITY),
            reporter: v(NEW_REPORTER),
            title: v(NEW_TITLE),
            description: v(NEW_DESCRIPTION),
            category,
            classified_by: if auto {
                ClassifiedBy::Auto
            } else {
                ClassifiedBy::Agent
            },
            confidence: n
                .suggestion
                .category
                .as_ref()
                .map(|_| n.suggestion.confidence),
            reasons: n.suggestion.reasons.clone(),
            reported,
        })
    }

    fn check_new(&mut self) {
        if let Some(n) = &self.new {
            let check = self.build_new(n).map(|_| ());
            if let Some(n) = self.new.as_mut() {
                n.check = check;
            }
        }
    }

    fn move_cursor(&mut self, delta: isize) {
        if self.help {
            self.help_scroll = (self.help_scroll as isize + delta).clamp(0, 500) as u16;
            return;
        }
        if let Some(d) = self.detail.as_mut() {
            d.scroll = (d.scroll as isize + delta).clamp(0, 5000) as u16;
            return;
        }
        let clamp = |cur: usize, len: usize| -> usize {
            (cur as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize
        };
        match self.tab {
            Tab::Board => {
                self.selected = clamp(self.selected, self.board.len());
                self.scroll_into_view();
            }
            Tab::Acceptance => self.acc_selected = clamp(self.acc_selected, self.acceptance.len()),
            Tab::Breaches => {
                self.breaches.selected = clamp(self.breaches.selected, self.breaches.list.len())
            }
            Tab::Report => {}
            Tab::Inbox => self.inbox.move_cursor(delta),
        }
    }

    /// Asks the runner for the report of the Rapport tab's month and municipality.
    pub fn report_effect(&self) -> Effect {
        self.rapport.effect()
    }

    /// The report the runner built (dropped if the tab has moved on since it asked).
    pub fn set_report(&mut self, r: Result<crate::report::Report, String>) {
        self.rapport.set(r);
    }

    /// The shown report written in every format: Markdown, CSV, JSON and HTML.
    fn report_exports(&mut self) -> Vec<Effect> {
        let Some(Ok(r)) = &self.rapport.report else {
            let m = self.lang.t(
                "der er ingen rapport at eksportere",
                "there is no report to export",
            );
            self.fail(m);
            return Vec::new();
        };
        use crate::report::Format;
        let who = r
            .municipality
            .as_deref()
            .map(|m| format!("-{}", m.to_lowercase().replace(' ', "-")))
            .unwrap_or_default();
        [Format::Md, Format::Csv, Format::Json, Format::Html]
            .into_iter()
            .map(|f| Effect::Export {
                path: format!("frist-rapport-{}{who}.{}", r.month, f.extension()),
                content: crate::report::render(r, f, self.lang),
            })
            .collect()
    }

    fn switch_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.detail = None;
        if tab == Tab::Breaches {
            self.refresh_breaches();
        }
    }

    fn open_detail(&mut self) -> Vec<Effect> {
        match self.current() {
            Some(id) => {
                if let Some(i) = self.index.get(&id).copied() {
                    self.ensure(i);
                }
                self.detail = Some(Detail {
                    id,
                    events: Vec::new(),
                    contacts: Vec::new(),
                    scroll: 0,
                });
                vec![Effect::LoadEvents(id)]
            }
            None => Vec::new(),
        }
    }

    fn suggest_effect(&self) -> Vec<Effect> {
        match &self.new {
            Some(n) => vec![Effect::Suggest {
                title: n.fields[NEW_TITLE].value.clone(),
                description: n.fields[NEW_DESCRIPTION].value.clone(),
            }],
            None => Vec::new(),
        }
    }

    /// The breach list as CSV for Danish Excel, written by the same writer as the report's
    /// CSV ([`crate::safe::Sheet`]): a `;` in a municipality stays in its cell, a cell that
    /// looks like a formula is not run, and the BOM keeps "ø" an "ø".
    pub fn breaches_csv(&self) -> String {
        let mut w = crate::safe::Sheet::new();
        w.row([
            "sag",
            "kommune",
            "titel",
            "kategori",
            "servicemål",
            "frist",
            "overskridelse",
            "enhed",
            "dagsbod_kr",
            "tidligere_frist",
        ]);
        for b in &self.breaches.list {
            let (amount, unit) = match b.clock {
                sla::Clock::WorkingDays => (
                    format!(
                        "{:.1}",
                        b.overrun.num_minutes() as f64 / self.full_day.num_minutes().max(1) as f64
                    )
                    .replace('.', ","),
                    "arbejdsdage",
                ),
                sla::Clock::Business => (b.overrun.num_minutes().to_string(), "min. i dagtimer"),
                _ => (b.overrun.num_minutes().to_string(), "min."),
            };
            w.row([
                b.id.to_string(),
                b.municipality.clone(),
                b.title.clone(),
                b.category.clone(),
                match b.timer {
                    TimerKind::Reaction => "reaktion",
                    TimerKind::Resolution => "løsning",
                }
                .to_string(),
                crate::time::rfc3339(b.deadline, &self.cal.tz),
                amount,
                unit.to_string(),
                b.fine.to_string(),
                if b.earlier { "ja" } else { "nej" }.to_string(),
            ]);
        }
        w.finish()
    }
}

/// A plausible event of a step, to ask the engine why the step is refused.
fn dummy_kind(step: Step, t: &Ticket) -> EventKind {
    let s = || "-".to_string();
    match step {
        Step::React => EventKind::Reacted { note: s() },
        Step::Pause => EventKind::Paused { reason: s() },
        Step::Resume => EventKind::Resumed,
        Step::Resolve => EventKind::Resolved { note: s() },
        Step::Accept => EventKind::Accepted {
            by: s(),
            reference: s(),
        },
        Step::Reject => EventKind::Rejected {
            by: s(),
            reason: s(),
        },
        Step::Reclassify => EventKind::Reclassified {
            from: t.category.clone(),
            to: format!("{}-", t.category),
            reason: s(),
        },
        Step::Note => EventKind::Note { text: s() },
        Step::Assign => EventKind::Assigned { to: s() },
        Step::Retract | Step::Edit => EventKind::Note { text: s() },
        Step::Dispute => EventKind::BreachDisputed { reason: s() },
        Step::CorrectReportTime => EventKind::ReportTimeCorrected {
            from: t.reported,
            to: t.reported,
            reason: s(),
        },
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub(crate) fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

pub(crate) fn prev_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 1 {
        (d.year() - 1, 12)
    } else {
        (d.year(), d.month() - 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// When an evaluation may go stale: the instant its dagsbod can next grow (the deadline's
/// grace runs out, or a new day begins at local midnight), or a paused ticket's next minute.
fn recheck_at(
    contract: &Contract,
    cal: &WorkCalendar,
    t: &Ticket,
    e: &Evaluation,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if t.state == State::Closed {
        return None;
    }
    let midnight = || {
        let d = cal.local(now).date().succ_opt()?;
        Some(cal.to_utc(d.and_time(NaiveTime::MIN)))
    };
    if t.state == State::Paused {
        // A paused ticket's deadline moves with the clock; keep it fresh once a minute.
        return Some(now + TimeDelta::minutes(1));
    }
    let table = contract.category(&t.category).ok()?.fine.as_ref()?;
    if e.resolution.done.is_some() {
        return None;
    }
    let deadline = e.resolution.deadline?;
    if e.fine.days.len() as u32 >= table.cap_days {
        return None;
    }
    if e.fine.days.is_empty() {
        let start = deadline + table.grace();
        if now < start {
            return Some(start);
        }
    }
    midnight()
}

/// The one update: applies an action at `now` and says what the runner must do.
pub fn update(app: &mut App, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    if action == Action::Tick {
        app.tick(now);
        return Vec::new();
    }
    app.now = now;
    if action != Action::Quit && app.quit_asked {
        app.quit_asked = false;
        app.status = None;
    }
    if app.help {
        match action {
            Action::Help | Action::Back | Action::Confirm => app.help = false,
            Action::Quit => return vec![Effect::Quit],
            Action::Up => app.move_cursor(-1),
            Action::Down => app.move_cursor(1),
            Action::PageUp => app.move_cursor(-10),
            Action::PageDown => app.move_cursor(10),
            Action::Top => app.help_scroll = 0,
            _ => {}
        }
        return Vec::new();
    }
    if app.form.is_some() {
        return update_form(app, action);
    }
    if let Some(p) = app.picker.as_mut() {
        if action == Action::Quit {
            return vec![Effect::Quit];
        }
        match p.update(action) {
            Picked::Open => {}
            Picked::Cancelled => app.picker = None,
            Picked::Chosen(m) => {
                let target = p.target;
                app.picker = None;
                match target {
                    PickFor::Report => return app.rapport.choose(m),
                    PickFor::Board => {
                        app.municipality = m;
                        app.detail = None;
                        if app.tab != Tab::Acceptance {
                            app.tab = Tab::Board;
                        }
                        app.refilter();
                        app.refresh_acceptance();
                    }
                }
            }
        }
        return Vec::new();
    }
    if app.new.is_some() {
        return update_new(app, action);
    }
    if app.searching {
        match action {
            Action::Input(c) => {
                app.search.push(c);
                app.refilter();
            }
            Action::Backspace => {
                app.search.pop();
                app.refilter();
            }
            Action::Back => {
                app.searching = false;
                app.search.clear();
                app.refilter();
            }
            Action::Confirm | Action::Down | Action::Up => {
                app.searching = false;
                if action != Action::Confirm {
                    return update(app, action, now);
                }
            }
            _ => {}
        }
        return Vec::new();
    }
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => {
            app.help = true;
            app.help_scroll = 0;
        }
        Action::Back => {
            if app.detail.is_some() {
                app.detail = None;
            } else if !app.search.is_empty() {
                app.search.clear();
                app.refilter();
            } else if app.tab != Tab::Board {
                app.tab = Tab::Board;
            }
            app.status = None;
        }
        Action::Confirm if app.detail.is_none() && app.tab != Tab::Report => {
            return app.open_detail();
        }
        Action::Up => app.move_cursor(-1),
        Action::Down => app.move_cursor(1),
        Action::PageUp => app.move_cursor(-(app.page.max(1) as isize)),
        Action::PageDown => app.move_cursor(app.page.max(1) as isize),
        Action::Top => app.move_cursor(isize::MIN / 2),
        Action::Bottom => app.move_cursor(isize::MAX / 2),
        Action::NextField | Action::PrevField | Action::Left | Action::Right
            if app.detail.is_none() =>
        {
            let forward = matches!(action, Action::NextField | Action::Right);
            if app.tab == Tab::Report && matches!(action, Action::Left | Action::Right) {
                return app.rapport.update(action).unwrap_or_default();
            }
            if app.tab == Tab::Breaches && matches!(action, Action::Left | Action::Right) {
                return update(
                    app,
                    if forward {
                        Action::NextMonth
                    } else {
                        Action::PrevMonth
                    },
                    now,
                );
            }
            let i = Tab::ALL.iter().position(|t| *t == app.tab).unwrap_or(0);
            let n = Tab::ALL.len();
            let j = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            app.switch_tab(Tab::ALL[j]);
            if app.tab == Tab::Report {
                return vec![app.report_effect()];
            }
            if app.tab == Tab::Inbox {
                return vec![Effect::LoadInbox];
            }
        }
        Action::TabBoard => app.switch_tab(Tab::Board),
        Action::TabAcceptance => app.switch_tab(Tab::Acceptance),
        Action::TabBreaches => app.switch_tab(Tab::Breaches),
        Action::TabReport => {
            app.switch_tab(Tab::Report);
            return vec![app.report_effect()];
        }
        Action::TabInbox => {
            app.switch_tab(Tab::Inbox);
            return vec![Effect::LoadInbox];
        }
        Action::Search => {
            app.detail = None;
            app.tab = Tab::Board;
            app.searching = true;
        }
        Action::Filter => {
            app.filter = app.filter.next();
            app.tab = Tab::Board;
            app.detail = None;
            app.refilter();
            return app.load_for_filter();
        }
        // `m` opens the picker for the view it is pressed in: Rapport's municipality is its
        // own, and choosing it there leaves the board's filter be.
        Action::FilterMunicipality => {
            let (target, current) = if app.tab == Tab::Report && app.detail.is_none() {
                (PickFor::Report, app.rapport.municipality.clone())
            } else {
                (PickFor::Board, app.municipality.clone())
            };
            app.picker = Some(Picker::new(target, app.logged_municipalities(), current));
        }
        Action::NewTicket if !app.rights.create => {
            let why = app.rights.why.clone();
            app.fail(why);
        }
        Action::NewTicket => {
            app.open_new();
            return app.suggest_effect();
        }
        Action::React => app.open_form(Step::React),
        Action::PauseResume => {
            let paused = app
                .current()
                .and_then(|id| app.row(id))
                .is_some_and(|r| r.ticket.state == State::Paused);
            app.open_form(if paused { Step::Resume } else { Step::Pause });
        }
        Action::Resolve => app.open_form(Step::Resolve),
        // The Indbakke: one key records the verdict with the selected mail.
        Action::Accept | Action::Reject if app.tab == Tab::Inbox && app.detail.is_none() => {
            let step = if action == Action::Accept {
                Step::Accept
            } else {
                Step::Reject
            };
            if !app.rights.may(step) {
                let why = app.rights.why.clone();
                app.fail(why);
                return Vec::new();
            }
            let last = app
                .inbox
                .current()
                .and_then(|m| app.row(m.ticket))
                .map(|r| r.ticket.last_effective);
            match app.inbox.decide(action, last, app.lang) {
                Ok(e) => return vec![e, Effect::LoadInbox],
                Err(why) => app.fail(why),
            }
        }
        Action::Accept => app.open_form(Step::Accept),
        Action::Reject => app.open_form(Step::Reject),
        Action::Reclassify => app.open_form(Step::Reclassify),
        Action::Note => app.open_form(Step::Note),
        Action::CorrectReportTime => app.open_form(Step::CorrectReportTime),
        Action::Retract => app.open_form(Step::Retract),
        Action::Edit => app.open_form(Step::Edit),
        Action::Dispute => app.open_form(Step::Dispute),
        Action::Export if app.tab == Tab::Report => return app.report_exports(),
        Action::PrevMonth | Action::NextMonth if app.tab == Tab::Report => {
            return app.rapport.update(action).unwrap_or_default();
        }
        Action::PrevMonth | Action::NextMonth if app.tab == Tab::Breaches => {
            app.breaches.month = if action == Action::NextMonth {
                next_month(app.breaches.month)
            } else {
                prev_month(app.breaches.month)
            };
            app.breaches.selected = 0;
            app.refresh_breaches();
            return app.load_for_month();
        }
        Action::Sort if app.tab == Tab::Breaches => {
            app.breaches.sort = match app.breaches.sort {
                BreachSort::Amount => BreachSort::Deadline,
                BreachSort::Deadline => BreachSort::Amount,
            };
            app.sort_breaches();
        }
        Action::Export if app.tab == Tab::Breaches => {
            let m = app.breaches.month;
            return vec![Effect::Export {
                path: format!("frist-brud-{:04}-{:02}.csv", m.year(), m.month()),
                content: app.breaches_csv(),
            }];
        }
        _ => {}
    }
    Vec::new()
}

fn edit_field(field: &mut Field, action: Action, categories: usize) -> bool {
    match (&mut field.kind, action) {
        (FieldKind::Category(c), Action::Left | Action::Right) => {
            let n = categories as isize;
            if n == 0 {
                return false;
            }
            let d = if action == Action::Right { 1 } else { -1 };
            *c = Some(match *c {
                None if d > 0 => 0,
                None => (n - 1) as usize,
                Some(i) => ((i as isize + d).rem_euclid(n)) as usize,
            });
            true
        }
        (FieldKind::Text | FieldKind::Time, Action::Input(ch)) => {
            field.value.push(ch);
            true
        }
        (FieldKind::Text | FieldKind::Time, Action::Backspace) => field.value.pop().is_some(),
        _ => false,
    }
}

fn update_form(app: &mut App, action: Action) -> Vec<Effect> {
    let ncat = app.contract.categories.len();
    let Some(f) = app.form.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Back => {
            app.form = None;
            return Vec::new();
        }
        Action::Quit if f.edited && !app.quit_asked => {
            app.ask_before_quitting();
            return Vec::new();
        }
        Action::Quit => return vec![Effect::Quit],
        Action::NextField | Action::Down => f.focus = (f.focus + 1) % f.fields.len(),
        Action::PrevField | Action::Up => f.focus = (f.focus + f.fields.len() - 1) % f.fields.len(),
        Action::Confirm => {
            let f = f.clone();
            match app.build_step(&f) {
                Ok((kind, effective)) => {
                    app.form = None;
                    return vec![Effect::Append {
                        id: f.id,
                        kind,
                        effective,
                    }];
                }
                Err(m) => {
                    if let Some(f) = app.form.as_mut() {
                        f.check = Err(m);
                    }
                    return Vec::new();
                }
            }
        }
        a => {
            let focus = f.focus;
            if edit_field(&mut f.fields[focus], a, ncat) {
                f.edited = true;
            }
        }
    }
    app.check_form();
    Vec::new()
}

fn update_new(app: &mut App, action: Action) -> Vec<Effect> {
    let ncat = app.contract.categories.len();
    let completion = app
        .new
        .as_ref()
        .map(|n| n.fields[NEW_MUNICIPALITY].value.clone())
        .and_then(|typed| {
            app.completions(&typed)
                .first()
                .filter(|c| **c != typed.trim())
                .map(|c| c.to_string())
        });
    let Some(n) = app.new.as_mut() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    match action {
        Action::Back => {
            app.new = None;
            return Vec::new();
        }
        Action::Quit if n.edited && !app.quit_asked => {
            app.ask_before_quitting();
            return Vec::new();
        }
        Action::Quit => return vec![Effect::Quit],
        Action::NextField | Action::Down | Action::PrevField | Action::Up => {
            if n.focus == NEW_MUNICIPALITY && matches!(action, Action::NextField) {
                if let Some(c) = completion {
                    n.fields[NEW_MUNICIPALITY].value = c;
                }
            }
            let len = n.fields.len();
            n.focus = if matches!(action, Action::NextField | Action::Down) {
                (n.focus + 1) % len
            } else {
                (n.focus + len - 1) % len
            };
        }
        Action::Confirm => {
            let n = n.clone();
            match app.build_new(&n) {
                Ok(t) => {
                    app.new = None;
                    app.tab = Tab::Board;
                    app.detail = None;
                    return vec![Effect::Create(t)];
                }
                Err(m) => {
                    if let Some(n) = app.new.as_mut() {
                        n.check = Err(m);
                    }
                    return Vec::new();
                }
            }
        }
        a => {
            let focus = n.focus;
            if edit_field(&mut n.fields[focus], a, ncat) {
                n.edited = true;
                if focus == NEW_CATEGORY {
                    n.picked = true;
                }
                if focus == NEW_TITLE || focus == NEW_DESCRIPTION {
                    effects.push(Effect::Suggest {
                        title: n.fields[NEW_TITLE].value.clone(),
                        description: n.fields[NEW_DESCRIPTION].value.clone(),
                    });
                }
            }
        }
    }
    app.check_new();
    effects
}
