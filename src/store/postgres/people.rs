//! The people of a shared log: roles (domain §9), logins, and why the database refuses one.

use super::PgStore;
use crate::i18n::Lang;
use crate::store::{StoreError, StoreResult};

/// A role of domain §9, as the database knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The database's owner: administers the log (init, people, import).
    Owner,
    Agent,
    Supervisor,
    Municipality,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "municipality" => Some(Role::Municipality),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Municipality => "municipality",
        }
    }

    pub fn label(self, l: Lang) -> &'static str {
        match self {
            Role::Owner => l.t("ejer", "owner"),
            Role::Agent => l.t("supportmedarbejder", "agent"),
            Role::Supervisor => l.t("supervisor", "supervisor"),
            Role::Municipality => l.t("kommune", "municipality"),
        }
    }

    /// What the role may write, in words (for a refusal).
    fn may(self, l: Lang) -> &'static str {
        match self {
            Role::Owner => l.t(
                "ejeren administrerer loggen (db init, user, import); sagsskridt logges af supportmedarbejdere",
                "the owner administers the log (db init, user, import); steps are logged by agents",
            ),
            Role::Agent => l.t("alle sagsskridt", "every step"),
            Role::Supervisor => l.t(
                "en supervisor kan læse alt og kun tilføje noter og kontaktpersoner",
                "a supervisor reads everything and only adds notes and contacts",
            ),
            Role::Municipality => l.t(
                "en kommune kan kun acceptere eller afvise sine egne løste sager og tilføje bemærkninger til dem",
                "a municipality may only accept or reject its own resolved tickets and add notes to them",
            ),
        }
    }
}

/// Why the database refused a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deny {
    /// Row-level security or a missing privilege: the role may not take this step here. The
    /// database's own words.
    Rights(String),
    /// The login is not one of the log's people.
    NotAPerson,
    /// Only the owner moves a log in.
    ImportByOwner,
    /// `verify` needs every event.
    VerifyWholeLog,
    /// `db init` by someone else than the schema's owner.
    SchemaOwner(String),
}

impl Deny {
    pub fn message(&self, login: &str, role: Option<Role>, l: Lang) -> String {
        let who = match role {
            Some(r) => format!("{login} ({})", r.label(l)),
            None => login.to_string(),
        };
        match (self, l) {
            (Deny::Rights(detail), _) => {
                let may = role.map(|r| r.may(l)).unwrap_or_default();
                match l {
                    Lang::Da => format!("databasen afviser det for {who}: {may} ({detail})"),
                    Lang::En => format!("the database refuses this to {who}: {may} ({detail})"),
                }
            }
            (Deny::NotAPerson, Lang::Da) => format!(
                "{login} er ikke med i denne log; databasens ejer tilføjer folk med `frist user add`"
            ),
            (Deny::NotAPerson, Lang::En) => format!(
                "{login} is not one of this log's people; the database's owner adds people with `frist user add`"
            ),
            (Deny::ImportByOwner, Lang::Da) => format!(
                "kun databasens ejer flytter en log ind (import, demo), for den beholder hændelsernes brugere og tider; {who} kan ikke"
            ),
            (Deny::ImportByOwner, Lang::En) => format!(
                "only the database's owner moves a log in (import, demo), as it keeps the events' users and times; {who} cannot"
            ),
            (Deny::VerifyWholeLog, Lang::Da) => format!(
                "verify læser hele loggen; en supportmedarbejder, en supervisor eller ejeren kører den, ikke {who}"
            ),
            (Deny::VerifyWholeLog, Lang::En) => format!(
                "verify reads the whole log; an agent, a supervisor or the owner runs it, not {who}"
            ),
            (Deny::SchemaOwner(o), Lang::Da) => format!(
                "skemaet frist tilhører {o}; kør `frist db init` som {o}"
            ),
            (Deny::SchemaOwner(o), Lang::En) => format!(
                "the schema frist belongs to {o}; run `frist db init` as {o}"
            ),
        }
    }
}

/// A person of the log: a database login with its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub login: String,
    pub role: Role,
    pub municipality: Option<String>,
    /// Where frist mails the person (timer alerts), from `frist user add --email`.
    pub email: Option<String>,
}

impl PgStore {
    /// Adds a person: a database login in the role's group (run by the owner).
    pub fn add_user(
        &self,
        login: &str,
        role: Role,
        municipality: Option<&str>,
        email: Option<&str>,
        password: Option<&str>,
    ) -> StoreResult<()> {
        check_login(login)?;
        if role == Role::Owner {
            return Err(StoreError::BadInput(
                "a person's role is agent, supervisor or municipality".into(),
            ));
        }
        if (role == Role::Municipality) != municipality.is_some() {
            return Err(StoreError::BadInput(
                "a municipality's login needs --municipality NAME, and only it".into(),
            ));
        }
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&login])
            .map_err(|e| self.err(e))?
            .is_some();
        let ident = quote_ident(login);
        if !exists {
            let pw = match password {
                Some(p) => format!(" PASSWORD {}", quote_literal(p)),
                None => String::new(),
            };
            tx.batch_execute(&format!("CREATE ROLE {ident} LOGIN{pw}"))
                .map_err(|e| self.err(e))?;
        } else if let Some(p) = password {
            tx.batch_execute(&format!("ALTER ROLE {ident} PASSWORD {}", quote_literal(p)))
                .map_err(|e| self.err(e))?;
        }
        tx.batch_execute(&format!("GRANT frist_{} TO {ident}", role.as_str()))
            .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO frist.people (login, role, municipality, email) VALUES ($1, $2, $3, $4)
             ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role,
                 municipality = EXCLUDED.municipality,
                 email = coalesce(EXCLUDED.email, frist.people.email)",
            &[&login, &role.as_str(), &municipality, &email],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The log's people, by login.
    pub fn users(&self) -> StoreResult<Vec<Person>> {
        let rows = self
            .client()
            .query(
                "SELECT login::text, role, municipality, email FROM frist.people ORDER BY login",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Person {
                    login: r.get(0),
                    role: Role::parse(r.get(1))?,
                    municipality: r.get(2),
                    email: r.get(3),
                })
            })
            .collect())
    }

    /// Takes a person's access away: out of the group and the people; their events stay.
    /// Whether there was such a person.
    pub fn remove_user(&self, login: &str) -> StoreResult<bool> {
        check_login(login)?;
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let role: Option<String> = tx
            .query_opt(
                "DELETE FROM frist.people WHERE login = $1 RETURNING role",
                &[&login],
            )
            .map_err(|e| self.err(e))?
            .map(|r| r.get(0));
        let Some(role) = role else {
            return Ok(false);
        };
        let ident = quote_ident(login);
        tx.batch_execute(&format!("REVOKE frist_{role} FROM {ident}"))
            .map_err(|e| self.err(e))?;
        tx.batch_execute(&format!("ALTER ROLE {ident} NOLOGIN"))
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }
}

/// A login as PostgreSQL takes it unquoted: letters, digits, `_`, `.`, `-`, `@`.
fn check_login(login: &str) -> StoreResult<()> {
    let ok = !login.is_empty()
        && login.len() <= 63
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-@".contains(c))
        && !login.starts_with("pg_")
        && !login.starts_with("frist_");
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadInput(format!(
            "'{login}' cannot be a login: use lower-case letters, digits and _ . - @ (at most 63, not starting with pg_ or frist_)"
        )))
    }
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
