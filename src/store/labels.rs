//! The classifier's memory of agents' corrections, kept in the store.
//!
//! Every category an agent sets (on a new ticket) or changes (a reclassification) is a
//! labelled example. The naive Bayes model over them is derived data: it is updated as agents
//! label tickets and can be rebuilt from the log at any time with [`retrain`].

use super::{Store, StoreError, StoreResult};
use crate::classify::{Classifier, Labelled, Model};
use crate::contract::Contract;
use crate::ticket::{ClassifiedBy, EventKind, TicketId};
use std::collections::HashMap;

/// A ticket's text as the classifier reads it.
pub fn text(title: &str, description: &str) -> String {
    if description.is_empty() {
        title.to_string()
    } else {
        format!("{title}\n{description}")
    }
}

/// The stored model, if any.
pub fn model(store: &dyn Store) -> StoreResult<Option<Model>> {
    match store.classifier_model()? {
        None => Ok(None),
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("the classifier's model: {e}"))),
    }
}

/// The contract's rules blended with what agents have taught it.
pub fn classifier(contract: &Contract, store: &dyn Store) -> StoreResult<Classifier> {
    let c = Classifier::new(contract);
    Ok(match model(store)? {
        Some(m) => c.with_model(m),
        None => c,
    })
}

/// Adds one labelled ticket to the stored model.
pub fn learn(store: &dyn Store, example: &Labelled) -> StoreResult<()> {
    learn_all(store, std::slice::from_ref(example))
}

/// Adds labelled tickets to the stored model (read and written once).
pub fn learn_all(store: &dyn Store, examples: &[Labelled]) -> StoreResult<()> {
    if examples.is_empty() {
        return Ok(());
    }
    let mut m = model(store)?.unwrap_or_default();
    for e in examples {
        m.learn(e);
    }
    save(store, &m)
}

fn save(store: &dyn Store, m: &Model) -> StoreResult<()> {
    let json = serde_json::to_vec(m).expect("a model serializes");
    store.set_classifier_model(&json)
}

/// Every ticket whose category an agent set or changed, with its latest such category.
pub fn labelled(store: &dyn Store) -> StoreResult<Vec<Labelled>> {
    let mut text_of: HashMap<TicketId, String> = HashMap::new();
    let mut label: HashMap<TicketId, String> = HashMap::new();
    store.for_each_event(&mut |r| {
        let e = &r.event;
        match &e.kind {
            EventKind::Reported {
                title, description, ..
            } => {
                text_of.insert(e.ticket, text(title, description));
            }
            EventKind::Classified {
                category,
                by: ClassifiedBy::Agent,
                ..
            } => {
                label.insert(e.ticket, category.clone());
            }
            EventKind::Reclassified { to, .. } => {
                label.insert(e.ticket, to.clone());
            }
            _ => {}
        }
        Ok(())
    })?;
    let mut ids: Vec<TicketId> = label.keys().copied().collect();
    ids.sort_unstable();
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            Some(Labelled {
                category: label.remove(&id)?,
                text: text_of.remove(&id)?,
            })
        })
        .collect())
}

/// Rebuilds the model from the log; returns the number of labelled tickets. Never changes a
/// ticket's category.
pub fn retrain(store: &dyn Store) -> StoreResult<usize> {
    let examples = labelled(store)?;
    save(store, &Model::train(&examples))?;
    Ok(examples.len())
}
