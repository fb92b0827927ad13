//! `--help` in Danish: clap's texts come from the English doc comments of the derive structs;
//! for the Danish UI the command tree is walked and every text swapped for its translation
//! from [`da`], in the words of `docs/words.md`.

use crate::i18n::Lang;
use clap::builder::{PossibleValue, StyledStr, TypedValueParser};
use clap::{Arg, Command, ValueEnum};
use std::ffi::OsString;

/// The language `--help` speaks, decided before clap parses: `--lang en` / `--lang=en` on the
/// command line (before a `--`), else `FRIST_LANG`, else Danish (as [`super::Cli::lang`]).
pub fn lang_of(args: &[OsString], env: Option<&str>) -> Lang {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    let mut chosen = None;
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            chosen = it.next().map(|v| v.into_owned());
        } else if let Some(v) = a.strip_prefix("--lang=") {
            chosen = Some(v.to_string());
        }
    }
    match chosen.as_deref().or(env).map(str::trim) {
        Some("en") => Lang::En,
        _ => Lang::Da,
    }
}

/// Every text of `--help` in the tree: about and long about of each (sub)command, help and
/// long help of each argument and of each explained value. Walks a built command (clap adds
/// `--help`, `--version` and the `help` subcommand while building).
pub fn texts(cmd: &Command) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: Option<&StyledStr>| {
        if let Some(s) = s.map(|s| s.to_string()) {
            if !s.trim().is_empty() {
                out.push(s);
            }
        }
    };
    push(cmd.get_about());
    push(cmd.get_long_about());
    for arg in cmd.get_arguments() {
        push(arg.get_help());
        push(arg.get_long_help());
        for v in arg.get_possible_values() {
            push(v.get_help());
        }
    }
    for sub in cmd.get_subcommands() {
        out.extend(texts(sub));
    }
    out
}

/// The Danish command tree: builds `cmd` and swaps every text for its translation (an
/// untranslated one stays English; `tests/help.rs` makes sure there is none).
pub fn translate(mut cmd: Command) -> Command {
    cmd.build();
    danish(cmd)
}

fn tr(s: Option<&StyledStr>) -> Option<String> {
    s.map(|s| {
        let s = s.to_string();
        da(&s).map_or(s, str::to_string)
    })
}

fn danish(cmd: Command) -> Command {
    let about = tr(cmd.get_about());
    let long_about = tr(cmd.get_long_about());
    // clap's own template with its one English heading in Danish, styled as clap styles it.
    let usage = *cmd.get_styles().get_usage();
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{usage}Brug:{usage:#} {{usage}}\n\n{{all-args}}{{after-help}}"
    );
    let cmd = match about {
        Some(s) => cmd.about(s),
        None => cmd,
    };
    let cmd = match long_about {
        Some(s) => cmd.long_about(s),
        None => cmd,
    };
    let cmd = cmd
        .help_template(template)
        .subcommand_help_heading("Kommandoer")
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argumenter"
            } else {
                "Tilvalg"
            };
            let a = match a.get_help_heading() {
                None => a.help_heading(heading),
                Some(_) => a,
            };
            let a = match tr(a.get_help()) {
                Some(s) => a.help(s),
                None => a,
            };
            let a = match tr(a.get_long_help()) {
                Some(s) => a.long_help(s),
                None => a,
            };
            values(a)
        });
    cmd.mut_subcommands(danish)
}

/// An argument whose values are explained gets a value parser that explains them in Danish
/// (clap keeps the explanations in the parser, so the parser is swapped for one of the same
/// type).
fn values(a: Arg) -> Arg {
    let names: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| v.get_help().is_some())
        .map(|v| v.get_name().to_string())
        .collect();
    if names.is_empty() {
        return a;
    }
    let is = |variants: &[PossibleValue]| {
        variants
            .iter()
            .map(|v| v.get_name())
            .eq(names.iter().map(String::as_str))
    };
    if is(&variants::<crate::report::Format>()) {
        a.value_parser(Danish::<crate::report::Format>::default())
    } else if is(&variants::<super::team::RoleArg>()) {
        a.value_parser(Danish::<super::team::RoleArg>::default())
    } else {
        a
    }
}

fn variants<E: ValueEnum>() -> Vec<PossibleValue> {
    E::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .collect()
}

/// Parses like clap's enum parser; explains the values in Danish.
#[derive(Clone)]
struct Danish<E>(std::marker::PhantomData<E>);

impl<E> Default for Danish<E> {
    fn default() -> Self {
        Danish(std::marker::PhantomData)
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Danish<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        clap::builder::EnumValueParser::<E>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(variants::<E>().into_iter().map(|v| {
            match tr(v.get_help()) {
                Some(s) => v.help(s),
                None => v,
            }
        })))
    }
}

/// The Danish of an English help text, `None` for one not translated.
pub fn da(en: &str) -> Option<&'static str> {
    Some(match en {
        // frist
        "Service-target timers, dagsbod and the support log for vendors to Danish municipalities" => {
            "Servicemål, frister, dagsbod og sagsloggen for leverandører til danske kommuner"
        }
        "Contract: a built-in name (laasesystem, ddh-chatbot) or the path of a contract file" => {
            "Kontrakt: et indbygget navn (laasesystem, ddh-chatbot) eller stien til en kontraktfil"
        }
        "Evaluate as of this instant: 'YYYY-MM-DD HH:MM' (contract-local) or RFC 3339. It is also the default of `--at`; a write is still recorded at the real clock" => {
            "Beregn som på dette tidspunkt: 'ÅÅÅÅ-MM-DD TT:MM' (kontraktens lokale tid) eller RFC 3339. Det er også standard for `--at`; en ændring registreres stadig med det rigtige klokkeslæt"
        }
        "Language of the output" => "Sproget i uddata (da: dansk, en: engelsk)",
        "The support log: a local log's folder (default: the platform's data directory), or a shared PostgreSQL database as postgres://USER@HOST[:PORT]/DB[?sslmode=require] (team mode)" => {
            "Sagsloggen: en lokal logs mappe (standard: platformens datamappe) eller en fælles PostgreSQL-database som postgres://BRUGER@VÆRT[:PORT]/DB[?sslmode=require] (teamtilstand)"
        }
        "The acting user recorded with each event on a local log (default: the OS user). In team mode the database login is the acting user" => {
            "Den handlende bruger, der registreres med hver hændelse i en lokal log (standard: styresystemets bruger). I teamtilstand er databaselogin den handlende bruger"
        }
        "TUI keymap: a built-in name (default, vim) or the path of a keymap file" => {
            "Taster i TUI'en: et indbygget navn (default, vim) eller stien til en tastefil"
        }
        "How long a command waits for a local log that another frist process (the board, a script) is using, in seconds" => {
            "Hvor længe en kommando venter på en lokal log, som en anden frist-proces (tavlen, et script) bruger, i sekunder"
        }
        "Print help" => "Vis hjælp",
        "Print help (see more with '--help')" => "Vis hjælp (mere med '--help')",
        "Print help (see a summary with '-h')" => "Vis hjælp (et resumé med '-h')",
        "Print version" => "Vis versionen",
        "Print this message or the help of the given subcommand(s)" => {
            "Vis denne hjælp eller hjælpen til de angivne underkommandoer"
        }
        // Subcommands
        "List the closed and shortened days of a year in the contract's calendar" => {
            "Vis et års lukkedage og korte dage i kontraktens kalender"
        }
        "Draw a month: working days, closed days, shortened days and the service window" => {
            "Tegn en måned: arbejdsdage, lukkedage, korte dage og dagtimerne"
        }
        "List the known contracts with their categories and targets" => {
            "Vis de kendte kontrakter med deres fejlkategorier og servicemål"
        }
        "Compute the reaction and resolution deadlines of a report, with an explanation" => {
            "Beregn frister for reaktionstid og løsningstid for en anmeldelse, med forklaring"
        }
        "Compute the dagsbod (daily fine) of a late resolution" => {
            "Beregn dagsboden for en for sen løsning"
        }
        "Suggest a category for a ticket's text, with confidence and reasons" => {
            "Foreslå en fejlkategori ud fra en sags tekst, med sikkerhed og begrundelser"
        }
        "Log a new ticket; prints its id" => "Opret en ny sag; skriver dens id",
        "Record the reaction: the municipality was contacted with a diagnosis and a plan" => {
            "Registrér reaktionen: kommunen er kontaktet med en diagnose og en plan"
        }
        "Pause the clock while waiting for the municipality" => {
            "Sæt uret på pause, mens der ventes på kommunen"
        }
        "Resume a paused ticket" => "Genoptag en sag på pause",
        "Record the resolution (fixed, or a workaround shown)" => {
            "Registrér løsningen (fejlen rettet eller en omgåelse anvist)"
        }
        "Record the municipality's written acceptance; the ticket closes" => {
            "Registrér kommunens skriftlige accept; sagen lukkes"
        }
        "Record the municipality's rejection; the ticket reopens" => {
            "Registrér kommunens afvisning; sagen genåbnes"
        }
        "Give a ticket to an agent (`--to LOGIN`); `list --mine` shows one's own" => {
            "Tildel en sag til en medarbejder (`--to LOGIN`); `list --mine` viser ens egne"
        }
        "Change a ticket's category, with a reason" => {
            "Skift en sags fejlkategori, med begrundelse"
        }
        "Add a note to a ticket" => "Tilføj en bemærkning til en sag",
        "Correct a ticket's report time, with a reason" => {
            "Ret en sags anmeldelsestidspunkt, med begrundelse"
        }
        "Show a ticket with its deadlines, fine and events" => {
            "Vis en sag med frister, dagsbod og hændelser"
        }
        "List tickets" => "Vis sager",
        "List the tickets whose deadlines were missed in a month" => {
            "Vis sagerne med overskredne frister i en måned"
        }
        "Write every event as JSON lines (lossless, with the audit chain's hashes)" => {
            "Skriv alle hændelser som JSON-linjer (uden tab, med revisionssporets hashes)"
        }
        "Load a file written by `export` into an empty database" => {
            "Indlæs en fil skrevet af `export` i en tom database"
        }
        "Walk the audit chain and check every event and ticket, then compare the log with a checkpoint (`--checkpoint FILE`, else the last one this machine made of the log)" => {
            "Gennemgå revisionssporet og kontrollér hver hændelse og sag, og sammenlign så loggen med et kontrolpunkt (`--checkpoint FIL`, ellers det seneste, denne maskine har lavet af loggen)"
        }
        "Write a signed statement of the log's state (events, head hash), so that a log later cut, rolled back or rewritten is caught; `--key` prints the public key" => {
            "Skriv en signeret erklæring om loggens tilstand (hændelser, seneste hash), så en log, der senere afkortes, rulles tilbage eller omskrives, bliver opdaget; `--key` viser den offentlige nøgle"
        }
        "Fill the database with realistic demo tickets" => {
            "Fyld databasen med realistiske demosager"
        }
        "The monthly service report for the municipality: targets, breaches, dagsbod, availability, response times" => {
            "Den månedlige servicerapport til kommunen: servicemål, overskridelser, dagsbod, driftseffektivitet, svartider"
        }
        "Response-time measurements (svartider) for the report" => {
            "Målinger af svartider til rapporten"
        }
        "Team mode: set up the PostgreSQL database (`db init`)" => {
            "Teamtilstand: opsæt PostgreSQL-databasen (`db init`)"
        }
        "Team mode: the people of the shared log and their roles" => {
            "Teamtilstand: personerne i den fælles log og deres roller"
        }
        "Who the log records as the acting user, with role and municipality in team mode" => {
            "Hvem loggen registrerer som den handlende bruger, med rolle og kommune i teamtilstand"
        }
        "Send again the mails that could not be sent (kept in the log until they go out)" => {
            "Send de mails igen, som ikke kunne sendes (de gemmes i loggen, til de er sendt)"
        }
        "Send what is due now: mails that failed before, reminders of resolutions waiting for acceptance, and alerts of timers at risk or breached (for cron; inside the service window only, never twice)" => {
            "Send det, der skal sendes nu: mails, der fejlede før, påmindelser om løsninger, der venter på accept, og varsler om frister i fare eller overskredet (til cron; kun inden for dagtimerne, aldrig to gange)"
        }
        "Where mail goes as .eml files when no SMTP server is configured (FRIST_SMTP or the config file); default: a folder beside the log" => {
            "Hvor mail lægges som .eml-filer, når ingen SMTP-server er sat op (FRIST_SMTP eller konfigurationsfilen); standard: en mappe ved siden af loggen"
        }
        "The person's mail address: timer alerts (`frist mail remind`) go there" => {
            "Personens mailadresse: varsler om frister (`frist mail remind`) sendes dertil"
        }
        "Mail the report to the municipality's contacts (HTML in the mail, CSV and JSON attached, with the checkpoint)" => {
            "Send rapporten med mail til kommunens kontakter (HTML i mailen, CSV og JSON vedhæftet, med kontrolpunktet)"
        }
        "Print shell completions" => "Skriv kommandolinjefuldførelser til en skal",
        "The shell to write completions for" => "Skallen, fuldførelserne skrives til",
        // Arguments
        "A checkpoint written by `frist checkpoint`: prove the log still holds exactly the events it committed to and only appends after them. Without it, the last checkpoint this machine made of the log is used" => {
            "Et kontrolpunkt skrevet af `frist checkpoint`: bevis, at loggen stadig rummer præcis de hændelser, det bandt sig til, og kun tilføjer efter dem. Uden det bruges det seneste kontrolpunkt, denne maskine har lavet af loggen"
        }
        "A checkpoint written by `frist checkpoint` of the log the file came from: the file must hold exactly the events it committed to (then more may follow)" => {
            "Et kontrolpunkt skrevet af `frist checkpoint` af den log, filen kommer fra: filen skal rumme præcis de hændelser, det bandt sig til (flere må følge efter)"
        }
        "A file written by `frist export` (JSON lines)" => {
            "En fil skrevet af `frist export` (JSON-linjer)"
        }
        "A municipality's IT contact: its own tickets only; accepts or rejects resolutions" => {
            "En kommunes IT-kontakt: kun kommunens egne sager; accepterer eller afviser løsninger"
        }
        "A note on the step" => "En bemærkning til trinnet",
        "A short title, as the municipality wrote it" => "En kort titel, som kommunen skrev den",
        "Log many tickets from FILE ('-': standard input): JSON lines or CSV with the fields municipality, title, description, reporter, category, at. A bad line refuses the whole file before anything is written; the new ids are printed one a line" => {
            "Log mange sager fra FIL ('-': standardinput): JSON-linjer eller CSV med felterne municipality, title, description, reporter, category, at. En forkert linje afviser hele filen, før noget skrives; de nye sagsnumre skrives ét pr. linje"
        }
        "Accept a municipality frist does not know yet (a new customer)" => {
            "Godtag en kommune, frist ikke kender endnu (en ny kunde)"
        }
        "Add to a database that already has tickets (written ticket by ticket, slower)" => {
            "Tilføj til en database, der allerede har sager (skrives sag for sag, langsommere)"
        }
        "CSV for Danish Excel (semicolons, decimal comma, UTF-8 with BOM)" => {
            "CSV til dansk Excel (semikolon, decimalkomma, UTF-8 med BOM)"
        }
        "Category id (see `frist contracts`)" => "Fejlkategoriens id (se `frist contracts`)",
        "Category id (see `frist contracts`); without it the text is classified automatically" => {
            "Fejlkategoriens id (se `frist contracts`); uden det klassificeres teksten automatisk"
        }
        "Create or upgrade frist's schema in the PostgreSQL database of --db (run by the database's owner; safe to run again and at the same time)" => {
            "Opret eller opgradér frists skema i PostgreSQL-databasen i --db (køres af databasens ejer; sikkert at køre igen og samtidig)"
        }
        "Give a person a database login in their role (run by the database's owner)" => {
            "Giv en person et databaselogin i sin rolle (køres af databasens ejer)"
        }
        "How many tickets to log" => "Hvor mange sager der oprettes",
        "Import response-time measurements from a CSV file: transaction type; instant; seconds" => {
            "Indlæs målinger af svartider fra en CSV-fil: transaktionstype; tidspunkt; sekunder"
        }
        "List the log's people and their roles" => "Vis loggens personer og deres roller",
        "Markdown, to paste into an e-mail" => "Markdown, til at indsætte i en e-mail",
        "One self-contained HTML file with charts" => "Én selvstændig HTML-fil med diagrammer",
        "Only closed tickets" => "Kun lukkede sager",
        "Only the tickets assigned to me (the acting user)" => {
            "Kun sagerne tildelt mig (den handlende bruger)"
        }
        "Only this municipality's tickets" => "Kun denne kommunes sager",
        "Only this municipality's tickets (kommune); all when left out" => {
            "Kun denne kommunes sager; alle, når den udelades"
        }
        "Only tickets not closed" => "Kun sager, der ikke er lukket",
        "Only tickets whose title, description, notes, reporter, municipality, category or id contain every word of TEXT (any case, any order)" => {
            "Kun sager, hvis titel, beskrivelse, bemærkninger, anmelder, kommune, fejlkategori eller id indeholder hvert ord i TEXT (uanset store/små bogstaver og rækkefølge)"
        }
        "Only tickets with a breached target" => "Kun sager med et overskredet servicemål",
        "Output format" => "Uddataformat",
        "Print JSON" => "Skriv JSON",
        "Print JSON: an array of {date, name, kind, closes}" => {
            "Skriv JSON: en liste af {date, name, kind, closes}"
        }
        "Print JSON: {\"category\", \"confidence\", \"reasons\": [..]} and more" => {
            "Skriv JSON: {\"category\", \"confidence\", \"reasons\": [..]} med mere"
        }
        "Print the breaches as JSON" => "Skriv overskridelserne som JSON",
        "Print the public half of the signing key (made on first use) and nothing else" => {
            "Skriv den offentlige halvdel af signeringsnøglen (laves ved første brug) og intet andet"
        }
        "Print the ticket as JSON" => "Skriv sagen som JSON",
        "Print the tickets as JSON" => "Skriv sagerne som JSON",
        "Read a password for the login from standard input (one line); without it the login uses peer or certificate authentication as pg_hba.conf says" => {
            "Læs en adgangskode til login fra standard input (én linje); uden den bruger login peer- eller certifikatgodkendelse, som pg_hba.conf siger"
        }
        "Rebuild the learned model from the categories agents set or changed in the log. It never changes a ticket's category" => {
            "Genopbyg den lærte model ud fra de fejlkategorier, medarbejderne har sat eller skiftet i loggen. Den ændrer aldrig en sags fejlkategori"
        }
        "Spread the tickets over this many days before now, 1–3660 (default: 90, or as many as keep it to about 300 tickets a day)" => {
            "Fordel sagerne over så mange dage før nu, 1–3660 (standard: 90, eller så mange, at der bliver omkring 300 sager om dagen)"
        }
        "Take a person's access away (their events stay in the log)" => {
            "Fjern en persons adgang (personens hændelser bliver i loggen)"
        }
        "The CSV file (header optional; ';' or ',' separated)" => {
            "CSV-filen (overskrift valgfri; adskilt med ';' eller ',')"
        }
        "The correct report time" => "Det rigtige anmeldelsestidspunkt",
        "Withdraw a step (a reaction, pause, resumption, resolution, acceptance or rejection) by a new event; the step stays in the log, marked as withdrawn" => {
            "Træk et skridt tilbage (reaktion, pause, genoptagelse, løsning, accept eller afvisning) med en ny hændelse; skridtet bliver stående i loggen, markeret som trukket tilbage"
        }
        "Mend a ticket's title, description or reporter, with a reason; the old text stays in the log" => {
            "Ret en sags titel, beskrivelse eller anmelder, med en begrundelse; den gamle tekst bliver stående i loggen"
        }
        "Mark a ticket's breach as disputed, with a reason (supervisors in team mode)" => {
            "Markér en sags brud som bestridt, med en begrundelse (supervisorer i teamtilstand)"
        }
        "The number of the event to withdraw, as `show` lists it (#N) and `show --json` gives it (seq)" => {
            "Nummeret på hændelsen, der trækkes tilbage, som `show` viser det (#N) og `show --json` giver det (seq)"
        }
        "Why the step is withdrawn (kept in the audit trail and shown in the report)" => {
            "Hvorfor skridtet trækkes tilbage (gemmes i revisionssporet og vises i rapporten)"
        }
        "The corrected title" => "Den rettede titel",
        "The contract versions the log keeps: `contract amend FILE --from DATE` records a new one" => {
            "Kontraktversionerne, loggen gemmer: `contract amend FIL --from DATO` registrerer en ny"
        }
        "Record a changed contract file as a new version, for tickets reported from a date" => {
            "Registrér en ændret kontraktfil som en ny version for sager anmeldt fra en dato"
        }
        "The changed contract file" => "Den ændrede kontraktfil",
        "The first day (YYYY-MM-DD) of the reports the new version applies to" => {
            "Den første dag (ÅÅÅÅ-MM-DD) for anmeldelser, den nye version gælder for"
        }
        "The corrected description" => "Den rettede beskrivelse",
        "The corrected reporter" => "Den rettede anmelder",
        "Why the text is mended (kept in the audit trail and shown in the report)" => {
            "Hvorfor teksten rettes (gemmes i revisionssporet og vises i rapporten)"
        }
        "Why the vendor disputes the breach (shown in the breaches and the report)" => {
            "Hvorfor leverandøren bestrider bruddet (vises i bruddene og rapporten)"
        }
        "The database login" => "Databaselogin",
        "The database login (lower-case letters, digits, _ . - @)" => {
            "Databaselogin (små bogstaver, cifre, _ . - @)"
        }
        "The fault as the municipality described it (shown whole in `show` and the TUI)" => {
            "Fejlen, som kommunen beskrev den (vises hel i `show` og TUI'en)"
        }
        "The month (YYYY-MM) whose missed deadlines to list; default: this month" => {
            "Måneden (ÅÅÅÅ-MM), hvis overskredne frister vises; standard: denne måned"
        }
        "The month as YYYY-MM (default: this month)" => "Måneden som ÅÅÅÅ-MM (standard: denne måned)",
        "The month as YYYY-MM, e.g. 2025-03" => "Måneden som ÅÅÅÅ-MM, f.eks. 2025-03",
        "The municipality that reported the fault (e.g. Aarhus)" => {
            "Kommunen, der anmeldte fejlen (f.eks. Aarhus)"
        }
        "The municipality whose IT contact this is (only with --role municipality)" => {
            "Kommunen, som dette er IT-kontakt for (kun med --role municipality)"
        }
        "The new category id (see `frist contracts`); both deadlines are recomputed from the report" => {
            "Den nye fejlkategoris id (se `frist contracts`); begge frister beregnes igen fra anmeldelsen"
        }
        "The note's text" => "Bemærkningens tekst",
        "The random seed; the same seed (and `--now`) gives the same tickets" => {
            "Tilfældighedsfrøet; samme frø (og `--now`) giver de samme sager"
        }
        "The report's figures as JSON, for other programs" => {
            "Rapportens tal som JSON, til andre programmer"
        }
        "The resolution deadline" => "Fristen for løsningstid",
        "The ticket's description, read after the title" => "Sagens beskrivelse, læst efter titlen",
        "The ticket's id" => "Sagens id",
        "The ticket's text (several words need no quotes). Read as the title" => {
            "Sagens tekst (flere ord kræver ingen anførselstegn). Læses som titlen"
        }
        "The ticket's title, instead of TEXT" => "Sagens titel, i stedet for TEXT",
        "The vendor's supervisor: reads everything, writes notes" => {
            "Leverandørens supervisor: læser alt, skriver bemærkninger"
        }
        "The vendor's support desk: logs tickets and every step" => {
            "Leverandørens support: opretter sager og registrerer hvert trin"
        }
        "The written reference (mail, letter, case number)" => {
            "Den skriftlige reference (mail, brev, journalnummer)"
        }
        "The year, e.g. 2026" => "Året, f.eks. 2026",
        "What the person may do" => "Hvad personen må",
        "When it took effect (default: now); never in the future, never before the report" => {
            "Hvornår det skete (standard: nu); aldrig i fremtiden, aldrig før anmeldelsen"
        }
        "When it was reported (default: now)" => "Hvornår den blev anmeldt (standard: nu)",
        "When it was resolved (default: now, for a ticket still open)" => {
            "Hvornår den blev løst (standard: nu, for en sag, der stadig er åben)"
        }
        "When the fault was reported: 'YYYY-MM-DD HH:MM' (contract-local) or RFC 3339" => {
            "Hvornår fejlen blev anmeldt: 'ÅÅÅÅ-MM-DD TT:MM' (kontraktens lokale tid) eller RFC 3339"
        }
        "List the contact people, of one municipality or all" => {
            "Vis kontaktpersonerne, for én kommune eller alle"
        }
        "Only this municipality's contacts" => "Kun denne kommunes kontaktpersoner",
        "Register a contact person of a municipality: their mail is matched to its tickets and their written answer counts as the municipality's" => {
            "Registrér en kommunes kontaktperson: personens mails knyttes til kommunens sager, og personens skriftlige svar gælder som kommunens"
        }
        "Take a contact person off the list (the change stays in the log)" => {
            "Fjern en kontaktperson fra listen (ændringen bliver stående i loggen)"
        }
        "The municipalities' contact people: whose mail counts as the municipality's" => {
            "Kommunernes kontaktpersoner: hvis mail gælder som kommunens"
        }
        "The municipality the person speaks for" => "Kommunen personen taler for",
        "The municipality, when the address is a contact of more than one" => {
            "Kommunen, når adressen er kontaktperson for flere"
        }
        "The person's mail address" => "Personens mailadresse",
        "The person's name" => "Personens navn",
        "The person's phone number" => "Personens telefonnummer",
        ".eml files, mbox files or Maildir folders" => ".eml-filer, mbox-filer eller Maildir-mapper",
        "Dismiss a suggested ticket, with a reason" => "Afvis et forslag til en ny sag, med en begrundelse",
        "Mail: import the municipality's answers, the inbox, suggested tickets; send what failed before (`send`), reminders and timer alerts (`remind`)" => {
            "Post: importér kommunens svar, indbakken, forslag til nye sager; send det, der fejlede før (`send`), påmindelser og varsler om frister (`remind`)"
        }
        "Make a suggested ticket (a contact's mail that matched no ticket) a ticket" => {
            "Gør et forslag (en kontaktpersons mail der ikke passede til nogen sag) til en sag"
        }
        "Read incoming mail from .eml files, mbox files or Maildir folders and attach each message to its ticket (a message already in the log adds nothing)" => {
            "Læs indgående post fra .eml-filer, mbox-filer eller Maildir-mapper og knyt hver mail til sin sag (en mail der allerede er i loggen, tilføjer intet)"
        }
        "The Message-ID of the municipality's mail on the ticket: its sender is `by`, its Message-ID and hash the reference" => {
            "Message-ID på kommunens mail på sagen: afsenderen er den der svarede, mailens Message-ID og hash er referencen"
        }
        "The category id (default: the suggested one)" => "Kategoriens id (standard: den foreslåede)",
        "The mail on resolved tickets that waits for a decision, with a suggested verdict, and the suggested new tickets" => {
            "Post på løste sager der venter på en afgørelse, med et forslag til svaret, og forslag til nye sager"
        }
        "The mail's Message-ID" => "Mailens Message-ID",
        "Why it is no ticket (kept in the log)" => "Hvorfor det ikke er en sag (gemmes i loggen)",
        "Who at the municipality accepted" => "Hvem hos kommunen der accepterede",
        "Who at the municipality rejected" => "Hvem hos kommunen der afviste",
        "Who at the municipality reported it" => "Hvem hos kommunen der anmeldte den",
        "Who takes it: a login of the shared log, or a name on a local log" => {
            "Hvem der får den: et login i den fælles log eller et navn i en lokal log"
        }
        "Why the category changes (kept in the audit trail)" => {
            "Begrundelse for skiftet af fejlkategori (gemmes i revisionssporet)"
        }
        "Why the clock stops (what the desk waits for); shown in the report, since the municipality may dispute it" => {
            "Begrundelse for at uret stopper (hvad supporten venter på); vises i rapporten, da kommunen kan gøre indsigelse"
        }
        "Why the municipality rejected the resolution" => "Kommunens begrundelse for at afvise løsningen",
        "Why the report time was wrong (kept in the audit trail)" => {
            "Begrundelse for at anmeldelsestidspunktet var forkert (gemmes i revisionssporet)"
        }
        "Wrap the description at this many columns (default: the terminal's width, else 80)" => {
            "Ombryd beskrivelsen ved så mange kolonner (standard: terminalens bredde, ellers 80)"
        }
        "Write the checkpoint to this file (atomically) instead of standard output" => {
            "Skriv kontrolpunktet til denne fil (atomisk) i stedet for standard output"
        }
        "Write to this file (atomically: all or nothing) instead of standard output" => {
            "Skriv til denne fil (atomisk: alt eller intet) i stedet for standard output"
        }
        _ => return None,
    })
}
