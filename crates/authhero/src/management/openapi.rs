//! The OpenAPI 3.1 document of the Management API, written from the registry: one operation per
//! endpoint, bodies from each resource's field list, resources from their entity types.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use super::fields::{Field, OnCreate};
use super::registry::{Body, Endpoint, Reply, Verb};
use super::resource::Resource;

/// Auth0's paging parameters: by page, or by checkpoint.
const PAGING: &[(&str, &str)] = &[
    ("page", "integer"),
    ("per_page", "integer"),
    ("include_totals", "boolean"),
    ("from", "string"),
    ("take", "integer"),
    ("sort", "string"),
];

/// One resource.
pub fn one<R: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<R>()
}

/// A bare array of resources.
pub fn list_of<R: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    let item = generator.subschema_for::<R>();
    json_schema!({"type": "array", "items": item})
}

/// A page of resources as Auth0 sends it: a bare array, the totals envelope, or a checkpoint
/// page with its `next`.
pub fn page_of<R: Resource>(generator: &mut SchemaGenerator) -> Schema {
    let items = list_of::<R>(generator);
    let collection = R::COLLECTION;
    json_schema!({"anyOf": [
        items,
        {
            "type": "object",
            "required": [collection, "start", "limit", "length", "total"],
            "properties": {
                collection: items,
                "start": {"type": "integer"},
                "limit": {"type": "integer"},
                "length": {"type": "integer"},
                "total": {"type": "integer"},
            },
        },
        {
            "type": "object",
            "required": [collection],
            "properties": {collection: items, "next": {"type": "string"}},
        },
    ]})
}

/// A page of objects: a bare array, or an object holding it.
pub fn any_page(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}]})
}

/// Any JSON value.
pub fn any_json(_: &mut SchemaGenerator) -> Schema {
    json_schema!(true)
}

/// Any JSON object.
pub fn any_object(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "object"})
}

/// The body of a create: the fields a create may carry, typed as the entity types them.
pub fn create_body<R: Resource>(generator: &mut SchemaGenerator) -> Schema {
    body_of::<R>(generator, R::FIELDS, true)
}

/// The body of a PATCH.
pub fn update_body<R: Resource>(generator: &mut SchemaGenerator) -> Schema {
    body_of::<R>(generator, R::FIELDS, false)
}

/// A body carrying some of `fields`, each typed as `E` types it (a field `E` does not store,
/// such as a password, may be any JSON).
pub fn body_of<E: JsonSchema>(
    generator: &mut SchemaGenerator,
    fields: &[Field],
    create: bool,
) -> Schema {
    let entity = E::json_schema(generator);
    let typed = entity
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let allowed = fields.iter().filter(|field| {
        if create {
            field.creatable()
        } else {
            field.updatable()
        }
    });
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in allowed {
        let schema = typed.get(field.name).cloned().unwrap_or(Value::Bool(true));
        properties.insert(field.name.to_owned(), schema);
        if create && field.on_create == OnCreate::Required {
            required.push(Value::String(field.name.to_owned()));
        }
    }
    json_schema!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The document for `endpoints`.
pub fn document(endpoints: &[Endpoint]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut paths = Map::new();
    let mut scopes = Map::new();
    for endpoint in endpoints {
        scopes.insert(endpoint.scope.clone(), Value::String(String::new()));
        let operation = operation(endpoint, &mut generator);
        let path = paths
            .entry(endpoint.full_path())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(path) = path {
            path.insert(endpoint.verb.lower().to_owned(), operation);
        }
    }
    let mut schemas = Map::new();
    for (name, schema) in generator.take_definitions(true) {
        schemas.insert(name, schema);
    }
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["statusCode", "error", "message"],
            "properties": {
                "statusCode": {"type": "integer"},
                "error": {"type": "string"},
                "message": {"type": "string"},
                "errorCode": {"type": "string"},
            },
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "AuthHero Management API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Auth0's Management API v2, as this server implements it.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "management": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": scopes}},
                },
            },
        },
    })
}

fn operation(endpoint: &Endpoint, generator: &mut SchemaGenerator) -> Value {
    let mut parameters: Vec<Value> = path_parameters(&endpoint.path)
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    let mut query = |name: &str, kind: &str| {
        parameters.push(json!({"name": name, "in": "query", "schema": {"type": kind}}));
    };
    if endpoint.paged {
        PAGING.iter().for_each(|(name, kind)| query(name, kind));
    }
    if endpoint.verb == Verb::Get {
        query("fields", "string");
        query("include_fields", "boolean");
    }
    endpoint
        .parameters
        .iter()
        .for_each(|name| query(name, "string"));
    let mut responses = Map::new();
    match endpoint.reply {
        // `fields` may leave out any field, required ones too: a selection is any object (or,
        // for a list, any array of objects).
        Reply::Ok(shape) if endpoint.verb == Verb::Get => {
            let full = shape(generator);
            let selected = json_schema!({"anyOf": [
                full,
                {"type": "object", "description": "The fields `fields` selected."},
                {"type": "array", "items": {"type": "object"}, "description": "The fields `fields` selected of each."},
            ]});
            responses.insert("200".into(), content("OK", selected))
        }
        Reply::Ok(shape) => responses.insert("200".into(), content("OK", shape(generator))),
        Reply::Created(shape) => {
            responses.insert("201".into(), content("Created", shape(generator)))
        }
        Reply::Accepted => responses.insert("202".into(), json!({"description": "Accepted"})),
        Reply::NoContent => responses.insert("204".into(), json!({"description": "No Content"})),
    };
    let mut errors = vec![
        ("400", "Bad Request"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("404", "Not Found"),
        ("429", "Too Many Requests"),
        ("503", "Service Unavailable"),
    ];
    let mut operation = Map::new();
    let request = match endpoint.body {
        Body::None => None,
        Body::Json(shape) => Some(("application/json", shape)),
        Body::Multipart(shape) => Some(("multipart/form-data", shape)),
    };
    if let Some((media_type, shape)) = request {
        operation.insert(
            "requestBody".into(),
            json!({"required": true, "content": {media_type: {"schema": shape(generator)}}}),
        );
        errors.extend([
            ("409", "Conflict"),
            ("413", "Payload Too Large"),
            ("415", "Unsupported Media Type"),
        ]);
    }
    for (status, description) in errors {
        responses.insert(
            status.into(),
            json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    operation.insert("summary".into(), endpoint.summary.clone().into());
    operation.insert(
        "operationId".into(),
        format!(
            "{}{}",
            endpoint.verb.lower(),
            endpoint.path.replace(['/', '{', '}', '-'], "_")
        )
        .into(),
    );
    operation.insert("parameters".into(), parameters.into());
    operation.insert("responses".into(), responses.into());
    operation.insert("security".into(), json!([{"management": [endpoint.scope]}]));
    Value::Object(operation)
}

fn content(description: &str, schema: Schema) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The `{name}` placeholders of a path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}
