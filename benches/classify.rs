//! Classifying a ticket must take well under 1 ms, so the new-ticket form can update on every
//! keystroke.

use criterion::{criterion_group, criterion_main, Criterion};
use frist::classify::{Classifier, Labelled};
use frist::contract::Contract;
use std::hint::black_box;

const TITLE: &str = "Ingen af vores hjemmeplejere kan låse op hos borgerne";
const DESCRIPTION: &str =
    "Siden kl. 6.30 har app'en ikke svaret, hverken på iPhone eller Android. \
Nattevagten fik fejlbesked ved login med MitID, og dagvagten kan ikke komme ind hos nogen af \
de 140 borgere i distrikt Syd. Web-administrationen svarer heller ikke. Vi har prøvet at \
genstarte telefonerne uden held. Det haster meget – ring venligst til vagtcentralen.";

fn bench(c: &mut Criterion) {
    let contract = Contract::default_contract();
    let rules = Classifier::new(&contract);
    c.bench_function("classify realistic ticket, rules", |b| {
        b.iter(|| rules.classify(black_box(TITLE), black_box(DESCRIPTION)))
    });
    let examples: Vec<Labelled> = (0..500)
        .map(|i| Labelled {
            category: contract.categories[i % contract.categories.len()]
                .id
                .clone(),
            text: format!("{DESCRIPTION} sag {i} ord{} tekst{}", i % 37, i % 11),
        })
        .collect();
    let learned = Classifier::with_examples(&contract, &examples);
    c.bench_function("classify realistic ticket, rules + 500 labels", |b| {
        b.iter(|| learned.classify(black_box(TITLE), black_box(DESCRIPTION)))
    });
    c.bench_function("build classifier for a contract", |b| {
        b.iter(|| Classifier::new(black_box(&contract)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
