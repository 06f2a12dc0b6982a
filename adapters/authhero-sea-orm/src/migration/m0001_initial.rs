//! The initial schema: every table AuthHero stores.
//!
//! Each entity table keeps, as real columns, what the database must enforce, index or sort on
//! (keys, unique values, foreign keys, timestamps) and the whole entity as a JSON document in
//! `body`. Relationship tables are plain columns only.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

/// Lengths chosen so that every composite key stays within MySQL's 3072-byte index limit in
/// utf8mb4 (4 bytes a character).
const TENANT_ID_LEN: u32 = 64;
const ID_LEN: u32 = 191;
const TEXT_LEN: u32 = 255;
const TIMESTAMP_LEN: u32 = 24;

#[derive(Clone, Copy)]
enum Kind {
    TenantId,
    Id,
    Text,
    Timestamp,
    Integer,
    Boolean,
}

/// A column: name, kind, nullable.
type Col = (&'static str, Kind, bool);

const fn req(name: &'static str, kind: Kind) -> Col {
    (name, kind, false)
}

const fn opt(name: &'static str, kind: Kind) -> Col {
    (name, kind, true)
}

use Kind::*;

struct TableDef {
    name: &'static str,
    columns: &'static [Col],
    primary_key: &'static [&'static str],
    /// Whether the table ends with a `body` JSON document column.
    document: bool,
    tenant_scoped: bool,
    unique: &'static [&'static [&'static str]],
    indexes: &'static [&'static [&'static str]],
    /// (columns, referenced table, referenced columns); deletes cascade.
    foreign_keys: &'static [(
        &'static [&'static str],
        &'static str,
        &'static [&'static str],
    )],
}

const TENANT: Col = req("tenant_id", TenantId);

const TABLES: &[TableDef] = &[
    TableDef {
        name: "tenants",
        columns: &[req("id", TenantId), req("created_at", Timestamp)],
        primary_key: &["id"],
        document: true,
        tenant_scoped: false,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "clients",
        columns: &[
            TENANT,
            req("client_id", Id),
            req("name", Text),
            opt("app_type", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "client_id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["client_id"]],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "client_grants",
        columns: &[
            TENANT,
            req("id", Id),
            req("client_id", Id),
            req("audience", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "client_id", "audience"]],
        indexes: &[],
        foreign_keys: &[(
            &["tenant_id", "client_id"],
            "clients",
            &["tenant_id", "client_id"],
        )],
    },
    TableDef {
        name: "connections",
        columns: &[
            TENANT,
            req("id", Id),
            req("name", Id),
            req("strategy", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "name"]],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "resource_servers",
        columns: &[
            TENANT,
            req("id", Id),
            req("name", Text),
            req("identifier", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "identifier"]],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "users",
        columns: &[
            TENANT,
            req("user_id", Id),
            req("connection", Id),
            req("provider", Text),
            opt("email", Text),
            opt("username", Text),
            opt("phone_number", Text),
            opt("name", Text),
            opt("nickname", Text),
            opt("given_name", Text),
            opt("family_name", Text),
            req("email_verified", Boolean),
            req("blocked", Boolean),
            req("logins_count", Integer),
            req("created_at", Timestamp),
            req("updated_at", Timestamp),
            opt("last_login", Timestamp),
        ],
        primary_key: &["tenant_id", "user_id"],
        document: true,
        tenant_scoped: true,
        unique: &[
            &["tenant_id", "connection", "email"],
            &["tenant_id", "connection", "username"],
        ],
        indexes: &[
            &["tenant_id", "email"],
            &["tenant_id", "name"],
            &["tenant_id", "created_at"],
            &["tenant_id", "last_login"],
        ],
        foreign_keys: &[],
    },
    TableDef {
        name: "passwords",
        columns: &[TENANT, req("user_id", Id), req("created_at", Timestamp)],
        primary_key: &["tenant_id", "user_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "roles",
        columns: &[
            TENANT,
            req("id", Id),
            req("name", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "name"]],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "role_permissions",
        columns: &[
            TENANT,
            req("role_id", Id),
            req("resource_server_identifier", Text),
            req("permission_name", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &[
            "tenant_id",
            "role_id",
            "resource_server_identifier",
            "permission_name",
        ],
        document: false,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[(&["tenant_id", "role_id"], "roles", &["tenant_id", "id"])],
    },
    TableDef {
        name: "user_permissions",
        columns: &[
            TENANT,
            req("user_id", Id),
            req("resource_server_identifier", Text),
            req("permission_name", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &[
            "tenant_id",
            "user_id",
            "resource_server_identifier",
            "permission_name",
        ],
        document: false,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "organizations",
        columns: &[
            TENANT,
            req("id", Id),
            req("name", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "name"]],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "user_roles",
        // organization_id is '' for a tenant-wide role, so it can be part of the primary key.
        columns: &[
            TENANT,
            req("user_id", Id),
            req("role_id", Id),
            req("organization_id", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "user_id", "organization_id", "role_id"],
        document: false,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "role_id"]],
        foreign_keys: &[
            (
                &["tenant_id", "user_id"],
                "users",
                &["tenant_id", "user_id"],
            ),
            (&["tenant_id", "role_id"], "roles", &["tenant_id", "id"]),
        ],
    },
    TableDef {
        name: "organization_members",
        columns: &[
            TENANT,
            req("organization_id", Id),
            req("user_id", Id),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "organization_id", "user_id"],
        document: false,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "user_id"]],
        foreign_keys: &[
            (
                &["tenant_id", "organization_id"],
                "organizations",
                &["tenant_id", "id"],
            ),
            (
                &["tenant_id", "user_id"],
                "users",
                &["tenant_id", "user_id"],
            ),
        ],
    },
    TableDef {
        name: "organization_connections",
        columns: &[TENANT, req("organization_id", Id), req("connection_id", Id)],
        primary_key: &["tenant_id", "organization_id", "connection_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[
            (
                &["tenant_id", "organization_id"],
                "organizations",
                &["tenant_id", "id"],
            ),
            (
                &["tenant_id", "connection_id"],
                "connections",
                &["tenant_id", "id"],
            ),
        ],
    },
    TableDef {
        name: "invitations",
        columns: &[
            TENANT,
            req("id", Id),
            req("organization_id", Id),
            req("created_at", Timestamp),
            req("expires_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "organization_id"]],
        foreign_keys: &[(
            &["tenant_id", "organization_id"],
            "organizations",
            &["tenant_id", "id"],
        )],
    },
    TableDef {
        name: "sessions",
        columns: &[
            TENANT,
            req("id", Id),
            req("user_id", Id),
            req("created_at", Timestamp),
            opt("expires_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "user_id"]],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "login_sessions",
        columns: &[
            TENANT,
            req("id", Id),
            req("created_at", Timestamp),
            req("expires_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "codes",
        columns: &[
            TENANT,
            req("code_id", Id),
            req("code_type", Text),
            req("created_at", Timestamp),
            req("expires_at", Timestamp),
            opt("used_at", Timestamp),
        ],
        primary_key: &["tenant_id", "code_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "refresh_tokens",
        columns: &[
            TENANT,
            req("id", Id),
            req("family_id", Id),
            req("client_id", Id),
            req("user_id", Id),
            opt("session_id", Id),
            req("created_at", Timestamp),
            opt("expires_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[
            &["tenant_id", "family_id"],
            &["tenant_id", "user_id"],
            &["tenant_id", "session_id"],
        ],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "grants",
        columns: &[
            TENANT,
            req("id", Id),
            req("user_id", Id),
            req("client_id", Id),
            req("audience", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["tenant_id", "user_id", "client_id", "audience"]],
        indexes: &[],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "authentication_methods",
        columns: &[
            TENANT,
            req("id", Id),
            req("user_id", Id),
            req("type", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "user_id"]],
        foreign_keys: &[(
            &["tenant_id", "user_id"],
            "users",
            &["tenant_id", "user_id"],
        )],
    },
    TableDef {
        name: "signing_keys",
        columns: &[
            req("kid", Id),
            req("created_at", Timestamp),
            opt("revoked_at", Timestamp),
        ],
        primary_key: &["kid"],
        document: true,
        tenant_scoped: false,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "logs",
        columns: &[
            TENANT,
            req("log_id", Id),
            req("date", Timestamp),
            req("type", Text),
            opt("user_id", Id),
            opt("client_id", Id),
        ],
        primary_key: &["tenant_id", "log_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[&["tenant_id", "date"], &["tenant_id", "user_id"]],
        foreign_keys: &[],
    },
    TableDef {
        name: "tenant_settings",
        // One row per (tenant, kind): branding, prompt settings, email provider.
        columns: &[TENANT, req("kind", Id)],
        primary_key: &["tenant_id", "kind"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "themes",
        columns: &[TENANT, req("theme_id", Id)],
        primary_key: &["tenant_id", "theme_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "custom_texts",
        columns: &[TENANT, req("prompt", Id), req("language", Id)],
        primary_key: &["tenant_id", "prompt", "language"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "email_templates",
        columns: &[TENANT, req("template", Id)],
        primary_key: &["tenant_id", "template"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "hooks",
        columns: &[
            TENANT,
            req("hook_id", Id),
            req("trigger_id", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "hook_id"],
        document: true,
        tenant_scoped: true,
        unique: &[],
        indexes: &[],
        foreign_keys: &[],
    },
    TableDef {
        name: "custom_domains",
        columns: &[
            TENANT,
            req("custom_domain_id", Id),
            req("domain", Text),
            req("created_at", Timestamp),
        ],
        primary_key: &["tenant_id", "custom_domain_id"],
        document: true,
        tenant_scoped: true,
        unique: &[&["domain"]],
        indexes: &[],
        foreign_keys: &[],
    },
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for table in TABLES {
            manager.create_table(create_table(table, backend)).await?;
            for columns in table.indexes {
                manager
                    .create_index(create_index(table.name, columns))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(table.name).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

fn create_table(table: &TableDef, backend: DbBackend) -> TableCreateStatement {
    let mut statement = Table::create();
    statement.table(table.name).if_not_exists();
    if backend == DbBackend::MySql {
        // Binary collation: the same case-sensitive comparisons and uniqueness as elsewhere.
        statement
            .engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    for &(name, kind, nullable) in table.columns {
        let mut column = ColumnDef::new(name);
        match kind {
            TenantId => column.string_len(TENANT_ID_LEN),
            Id => column.string_len(ID_LEN),
            Text => column.string_len(TEXT_LEN),
            Timestamp => column.string_len(TIMESTAMP_LEN),
            Integer => column.big_integer(),
            Boolean => column.boolean(),
        };
        if nullable {
            column.null();
        } else {
            column.not_null();
        }
        statement.col(column);
    }
    if table.document {
        let mut body = ColumnDef::new("body");
        match backend {
            // MySQL's TEXT holds 64 KiB; documents may be larger.
            DbBackend::MySql => body.custom("LONGTEXT"),
            _ => body.text(),
        };
        statement.col(body.not_null());
    }
    let mut primary_key = Index::create();
    for column in table.primary_key {
        primary_key.col(*column);
    }
    statement.primary_key(&mut primary_key);
    for columns in table.unique {
        let mut unique = Index::create();
        unique.name(index_name("uq", table.name, columns)).unique();
        for column in *columns {
            unique.col(*column);
        }
        statement.index(&mut unique);
    }
    if table.tenant_scoped {
        statement.foreign_key(
            ForeignKey::create()
                .name(format!("fk_{}_tenant", table.name))
                .from(table.name, "tenant_id")
                .to("tenants", "id")
                .on_delete(ForeignKeyAction::Cascade),
        );
    }
    for (columns, target, target_columns) in table.foreign_keys {
        let mut foreign_key = ForeignKey::create();
        foreign_key
            .name(format!("fk_{}_{}", table.name, target))
            .on_delete(ForeignKeyAction::Cascade)
            .from_tbl(table.name)
            .to_tbl(*target);
        for column in *columns {
            foreign_key.from_col(*column);
        }
        for column in *target_columns {
            foreign_key.to_col(*column);
        }
        statement.foreign_key(&mut foreign_key);
    }
    statement.to_owned()
}

fn create_index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(index_name("ix", table, columns))
        .table(table)
        .if_not_exists();
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

fn index_name(prefix: &str, table: &str, columns: &[&str]) -> String {
    format!("{prefix}_{table}_{}", columns.join("_"))
}
