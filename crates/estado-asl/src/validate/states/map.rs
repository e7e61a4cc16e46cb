//! Map: runs its `ItemProcessor` (or the older `Iterator`) for each item, inline or as a
//! Distributed Map with `ItemReader`, `ItemBatcher` and `ResultWriter`.

use estado_json::{Map, Value};

use super::{
    check_data_flow, check_error_handling, check_fields, check_flow, check_reference_field, State,
};
use crate::validate::diag::codes;
use crate::validate::expr::{self, Roots};
use crate::validate::fields::{self, Only};
use crate::validate::machine::{self, Kind};
use crate::validate::resource;
use crate::validate::template;
use crate::validate::{Ctx, Lang, Loc};

const FIELDS: &[(&str, Only)] = &[
    ("ItemProcessor", Only::Both),
    ("Iterator", Only::Both),
    ("ItemReader", Only::Both),
    ("ItemSelector", Only::Both),
    ("Parameters", Only::JsonPath),
    ("ItemsPath", Only::JsonPath),
    ("Items", Only::Jsonata),
    ("ItemBatcher", Only::Both),
    ("ResultWriter", Only::Both),
    ("MaxConcurrency", Only::Both),
    ("MaxConcurrencyPath", Only::JsonPath),
    ("ToleratedFailurePercentage", Only::Both),
    ("ToleratedFailurePercentagePath", Only::JsonPath),
    ("ToleratedFailureCount", Only::Both),
    ("ToleratedFailureCountPath", Only::JsonPath),
    ("Label", Only::Both),
    ("InputPath", Only::JsonPath),
    ("OutputPath", Only::JsonPath),
    ("ResultSelector", Only::JsonPath),
    ("ResultPath", Only::JsonPath),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("Retry", Only::Both),
    ("Catch", Only::Both),
    ("Next", Only::Both),
    ("End", Only::Both),
];

const PROCESSOR_CONFIG: &[(&str, Only)] = &[("Mode", Only::Both), ("ExecutionType", Only::Both)];

const ITEM_READER: &[(&str, Only)] = &[
    ("Resource", Only::Both),
    ("Parameters", Only::JsonPath),
    ("Arguments", Only::Jsonata),
    ("ReaderConfig", Only::Both),
];

const READER_CONFIG: &[(&str, Only)] = &[
    ("InputType", Only::Both),
    ("CSVHeaderLocation", Only::Both),
    ("CSVHeaders", Only::Both),
    ("CSVDelimiter", Only::Both),
    ("MaxItems", Only::Both),
    ("MaxItemsPath", Only::JsonPath),
    ("ManifestType", Only::Both),
    ("Transformation", Only::Both),
];

const ITEM_BATCHER: &[(&str, Only)] = &[
    ("MaxItemsPerBatch", Only::Both),
    ("MaxItemsPerBatchPath", Only::JsonPath),
    ("MaxInputBytesPerBatch", Only::Both),
    ("MaxInputBytesPerBatchPath", Only::JsonPath),
    ("BatchInput", Only::Both),
];

const RESULT_WRITER: &[(&str, Only)] = &[
    ("Resource", Only::Both),
    ("Parameters", Only::JsonPath),
    ("Arguments", Only::Jsonata),
    ("WriterConfig", Only::Both),
];

/// AWS's limits on Map numbers.
const MAX_INT: i64 = 99_999_999;
const MAX_READER_ITEMS: i64 = 100_000_000;
const MAX_LABEL: usize = 40;

pub(super) fn check(ctx: &mut Ctx, s: &State) {
    check_fields(ctx, s, FIELDS);
    check_flow(ctx, s);
    check_data_flow(ctx, s);
    check_error_handling(ctx, s);
    check_items(ctx, s);
    check_limits(ctx, s);
    if let Some(v) = s.obj.get("Label") {
        check_label(ctx, v, &s.at("Label"));
    }
    if let Some(v) = s.obj.get("ItemReader") {
        check_item_reader(ctx, v, s.lang, &s.at("ItemReader"));
    }
    if let Some(v) = s.obj.get("ItemBatcher") {
        check_item_batcher(ctx, v, s.lang, &s.at("ItemBatcher"));
    }
    if let Some(v) = s.obj.get("ResultWriter") {
        check_result_writer(ctx, v, s.lang, &s.at("ResultWriter"));
    }
    match fields::at_most_one(ctx, s.obj, &["ItemProcessor", "Iterator"], &s.loc) {
        0 => {
            fields::require(ctx, s.obj, &["ItemProcessor"], &s.loc);
        }
        _ => {
            for field in ["ItemProcessor", "Iterator"] {
                if let Some(v) = s.obj.get(field) {
                    check_processor(ctx, v, field, &s.at(field));
                }
            }
        }
    }
}

/// Where the items come from and what each iteration receives.
fn check_items(ctx: &mut Ctx, s: &State) {
    fields::at_most_one(ctx, s.obj, &["ItemSelector", "Parameters"], &s.loc);
    match s.lang {
        Lang::JsonPath => {
            if let Some(v) = s.obj.get("ItemsPath") {
                let at = s.at("ItemsPath");
                if let Some(p) = fields::string(ctx, v, "ItemsPath", &at) {
                    expr::check_path(ctx, p, "ItemsPath", &at);
                }
            }
            if let Some(v) = s.obj.get("ItemSelector") {
                template::check_payload(ctx, v, &s.at("ItemSelector"));
            }
        }
        Lang::Jsonata => {
            if let Some(v) = s.obj.get("Items") {
                let at = s.at("Items");
                if !fields::jsonata_instead(ctx, v, s.lang, &at) {
                    fields::array(ctx, v, "Items", &at);
                    // A literal array may hold expressions: each must compile.
                    expr::check_jsonata_template(ctx, v, &at);
                }
            }
            if let Some(v) = s.obj.get("ItemSelector") {
                expr::check_jsonata_template(ctx, v, &s.at("ItemSelector"));
            }
        }
    }
}

/// `MaxConcurrency` and the tolerated failure thresholds, each with its `*Path` form.
fn check_limits(ctx: &mut Ctx, s: &State) {
    for (literal, path) in [
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        (
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ),
    ] {
        fields::at_most_one(ctx, s.obj, &[literal, path], &s.loc);
        if let Some(v) = s.obj.get(literal) {
            let at = s.at(literal);
            if literal == "ToleratedFailurePercentage" {
                fields::number_or_jsonata(ctx, v, literal, (0.0, 100.0), s.lang, &at);
            } else {
                fields::integer_or_jsonata(ctx, v, literal, (0, MAX_INT), s.lang, &at);
            }
        }
        // Only ItemsPath may read the context object.
        check_reference_field(ctx, s, path, Roots::NoContext);
    }
}

/// `Label`: at most 40 characters, none of them blanks, brackets, wildcards or punctuation
/// that AWS reserves for Map Run names.
fn check_label(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    let Some(label) = fields::string(ctx, v, "Label", loc) else {
        return;
    };
    let reserved =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    if label.chars().count() > MAX_LABEL || label.chars().any(reserved) {
        ctx.error(
            codes::INVALID_LABEL_NAME,
            format!(
                "The label must be at most {MAX_LABEL} characters and must not contain whitespace or any of <>{{}}[]?*\"#%\\^|~`$&,;:/"
            ),
            loc,
        );
    }
}

/// `ItemProcessor` / `Iterator`: a machine object, whose `ProcessorConfig` picks the mode.
fn check_processor(ctx: &mut Ctx, v: &Value, field: &str, loc: &Loc) {
    if let Some(config) = v.get("ProcessorConfig") {
        check_processor_config(ctx, config, &loc.key("ProcessorConfig"));
    }
    machine::check_nested(ctx, v, field, Kind::Processor, loc);
}

fn check_processor_config(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "ProcessorConfig", loc) else {
        return;
    };
    fields::check_allowed(ctx, obj, PROCESSOR_CONFIG, Lang::JsonPath, loc);
    if let Some(m) = obj.get("Mode") {
        fields::one_of(ctx, m, "Mode", &["INLINE", "DISTRIBUTED"], &loc.key("Mode"));
    }
    if let Some(t) = obj.get("ExecutionType") {
        fields::one_of(
            ctx,
            t,
            "ExecutionType",
            &["STANDARD", "EXPRESS"],
            &loc.key("ExecutionType"),
        );
    }
}

fn check_item_reader(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "ItemReader", loc) else {
        return;
    };
    fields::check_allowed(ctx, obj, ITEM_READER, lang, loc);
    fields::require(ctx, obj, &["Resource"], loc);
    if let Some(r) = obj.get("Resource") {
        let at = loc.key("Resource");
        if let Some(r) = fields::string(ctx, r, "Resource", &at) {
            resource::check_s3_resource(ctx, r, &["getObject", "listObjectsV2"], &at);
        }
    }
    check_arguments(ctx, obj, lang, loc);
    if let Some(config) = obj.get("ReaderConfig") {
        let at = loc.key("ReaderConfig");
        let Some(config) = fields::object(ctx, config, "ReaderConfig", &at) else {
            return;
        };
        fields::check_allowed(ctx, config, READER_CONFIG, lang, &at);
        if let Some(t) = config.get("InputType") {
            fields::one_of(
                ctx,
                t,
                "InputType",
                &["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"],
                &at.key("InputType"),
            );
        }
        if let Some(h) = config.get("CSVHeaderLocation") {
            fields::one_of(
                ctx,
                h,
                "CSVHeaderLocation",
                &["FIRST_ROW", "GIVEN"],
                &at.key("CSVHeaderLocation"),
            );
        }
        if let Some(h) = config.get("CSVHeaders") {
            fields::array(ctx, h, "CSVHeaders", &at.key("CSVHeaders"));
        }
        fields::at_most_one(ctx, config, &["MaxItems", "MaxItemsPath"], &at);
        if let Some(m) = config.get("MaxItems") {
            fields::integer_or_jsonata(
                ctx,
                m,
                "MaxItems",
                (0, MAX_READER_ITEMS),
                lang,
                &at.key("MaxItems"),
            );
        }
        check_nested_reference(ctx, config, "MaxItemsPath", lang, &at);
    }
}

fn check_item_batcher(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "ItemBatcher", loc) else {
        return;
    };
    fields::check_allowed(ctx, obj, ITEM_BATCHER, lang, loc);
    for (literal, path) in [
        ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
        ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"),
    ] {
        fields::at_most_one(ctx, obj, &[literal, path], loc);
        if let Some(n) = obj.get(literal) {
            fields::integer_or_jsonata(ctx, n, literal, (0, MAX_INT), lang, &loc.key(literal));
        }
        check_nested_reference(ctx, obj, path, lang, loc);
    }
    if let Some(b) = obj.get("BatchInput") {
        let at = loc.key("BatchInput");
        match lang {
            Lang::JsonPath => template::check_payload(ctx, b, &at),
            Lang::Jsonata => expr::check_jsonata_template(ctx, b, &at),
        }
    }
}

fn check_result_writer(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "ResultWriter", loc) else {
        return;
    };
    fields::check_allowed(ctx, obj, RESULT_WRITER, lang, loc);
    if let Some(r) = obj.get("Resource") {
        let at = loc.key("Resource");
        if let Some(r) = fields::string(ctx, r, "Resource", &at) {
            resource::check_s3_resource(ctx, r, &["putObject"], &at);
        }
    }
    check_arguments(ctx, obj, lang, loc);
}

/// `Parameters` (JSONPath) or `Arguments` (JSONata) of an ItemReader or ResultWriter.
fn check_arguments(ctx: &mut Ctx, obj: &Map, lang: Lang, loc: &Loc) {
    match lang {
        Lang::JsonPath => {
            if let Some(p) = obj.get("Parameters") {
                template::check_payload(ctx, p, &loc.key("Parameters"));
            }
        }
        Lang::Jsonata => {
            if let Some(a) = obj.get("Arguments") {
                expr::check_jsonata_template(ctx, a, &loc.key("Arguments"));
            }
        }
    }
}

/// A `*Path` field of a Map sub-object: a reference path without the context object.
fn check_nested_reference(ctx: &mut Ctx, obj: &Map, field: &str, lang: Lang, loc: &Loc) {
    if lang != Lang::JsonPath {
        return;
    }
    if let Some(v) = obj.get(field) {
        let at = loc.key(field);
        if let Some(p) = fields::string(ctx, v, field, &at) {
            expr::check_reference_path(ctx, p, Roots::NoContext, &at);
        }
    }
}
