//! Which parts of each entity document are also real columns, and how to read them out.
//!
//! A promoted column is filled from the entity's JSON on every write, so the database can
//! enforce uniqueness and foreign keys, and queries can filter and sort on indexed values.
//! A `q` field or sort field names a column; any other `q` field is read from the JSON body.

/// How a promoted value is stored and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Text,
    /// Text stored lower-cased, so uniqueness and search ignore case: emails, host names, and the
    /// name fields Auth0's user search compares case-insensitively.
    Folded,
    Timestamp,
    Integer,
    Boolean,
}

#[derive(Debug)]
pub(crate) struct Column {
    /// SQL column name, also the `q` and `sort` field name.
    pub name: &'static str,
    /// Where the value sits in the entity's JSON (RFC 6901 pointer).
    pub pointer: &'static str,
    pub kind: ColumnKind,
    /// Longest text accepted, in characters; matches the column's declared length.
    pub max_len: usize,
    pub required: bool,
    /// Other `q` field names for this column, e.g. `identities.connection`.
    pub aliases: &'static [&'static str],
}

const ID: usize = 191;
const TEXT: usize = 255;
const TIME: usize = 24;

const fn col(
    name: &'static str,
    pointer: &'static str,
    kind: ColumnKind,
    max_len: usize,
    required: bool,
) -> Column {
    Column {
        name,
        pointer,
        kind,
        max_len,
        required,
        aliases: &[],
    }
}
const fn id(name: &'static str, pointer: &'static str) -> Column {
    col(name, pointer, ColumnKind::Text, ID, true)
}
const fn text(name: &'static str, pointer: &'static str) -> Column {
    col(name, pointer, ColumnKind::Text, TEXT, true)
}
const fn opt_text(name: &'static str, pointer: &'static str) -> Column {
    col(name, pointer, ColumnKind::Text, TEXT, false)
}
const fn time(name: &'static str, pointer: &'static str) -> Column {
    col(name, pointer, ColumnKind::Timestamp, TIME, true)
}
const fn opt_time(name: &'static str, pointer: &'static str) -> Column {
    col(name, pointer, ColumnKind::Timestamp, TIME, false)
}

/// A table holding one kind of entity as JSON documents.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub entity: &'static str,
    /// The entity's id column.
    pub key: Column,
    pub columns: &'static [Column],
    /// Order when the caller gives no `sort`.
    pub default_sort: &'static str,
    pub default_descending: bool,
    /// Columns a bare `q` term (no `field:`) is matched against.
    pub search_fields: &'static [&'static str],
}

impl Table {
    /// The column a `q` or sort field names, if any.
    pub fn column(&self, field: &str) -> Option<&Column> {
        std::iter::once(&self.key)
            .chain(self.columns)
            .find(|column| column.name == field || column.aliases.contains(&field))
    }
}

const fn table(
    name: &'static str,
    entity: &'static str,
    key: Column,
    columns: &'static [Column],
) -> Table {
    Table {
        name,
        entity,
        key,
        columns,
        default_sort: "created_at",
        default_descending: false,
        search_fields: &[],
    }
}

pub(crate) static TENANTS: Table = Table {
    search_fields: &["id"],
    ..table(
        "tenants",
        "tenant",
        id("id", "/id"),
        &[time("created_at", "/created_at")],
    )
};

pub(crate) static CLIENTS: Table = Table {
    search_fields: &["name", "client_id"],
    ..table(
        "clients",
        "client",
        id("client_id", "/client_id"),
        &[
            text("name", "/name"),
            opt_text("app_type", "/app_type"),
            time("created_at", "/created_at"),
        ],
    )
};

pub(crate) static CLIENT_GRANTS: Table = table(
    "client_grants",
    "client grant",
    id("id", "/id"),
    &[
        id("client_id", "/client_id"),
        text("audience", "/audience"),
        time("created_at", "/created_at"),
    ],
);

pub(crate) static CONNECTIONS: Table = Table {
    search_fields: &["name"],
    ..table(
        "connections",
        "connection",
        id("id", "/id"),
        &[
            id("name", "/name"),
            text("strategy", "/strategy"),
            time("created_at", "/created_at"),
        ],
    )
};

pub(crate) static RESOURCE_SERVERS: Table = Table {
    search_fields: &["name", "identifier"],
    ..table(
        "resource_servers",
        "resource server",
        id("id", "/id"),
        &[
            text("name", "/name"),
            text("identifier", "/identifier"),
            time("created_at", "/created_at"),
        ],
    )
};

pub(crate) static USERS: Table = Table {
    search_fields: &["email", "name", "nickname", "username", "user_id"],
    ..table(
        "users",
        "user",
        id("user_id", "/user_id"),
        &[
            Column {
                aliases: &["identities.connection"],
                ..id("connection", "/identities/0/connection")
            },
            Column {
                aliases: &["identities.provider"],
                ..text("provider", "/identities/0/provider")
            },
            col("email", "/email", ColumnKind::Folded, TEXT, false),
            opt_text("username", "/username"),
            opt_text("phone_number", "/phone_number"),
            col("name", "/name", ColumnKind::Folded, TEXT, false),
            col("nickname", "/nickname", ColumnKind::Folded, TEXT, false),
            col("given_name", "/given_name", ColumnKind::Folded, TEXT, false),
            col(
                "family_name",
                "/family_name",
                ColumnKind::Folded,
                TEXT,
                false,
            ),
            col(
                "email_verified",
                "/email_verified",
                ColumnKind::Boolean,
                0,
                true,
            ),
            col("blocked", "/blocked", ColumnKind::Boolean, 0, true),
            col(
                "logins_count",
                "/logins_count",
                ColumnKind::Integer,
                0,
                true,
            ),
            time("created_at", "/created_at"),
            time("updated_at", "/updated_at"),
            opt_time("last_login", "/last_login"),
            col("linked_to", "/linked_to", ColumnKind::Text, ID, false),
        ],
    )
};

pub(crate) static PASSWORDS: Table = table(
    "passwords",
    "password",
    id("user_id", "/user_id"),
    &[time("created_at", "/created_at")],
);

pub(crate) static ROLES: Table = Table {
    search_fields: &["name"],
    ..table(
        "roles",
        "role",
        id("id", "/id"),
        &[id("name", "/name"), time("created_at", "/created_at")],
    )
};

pub(crate) static ORGANIZATIONS: Table = Table {
    search_fields: &["name"],
    ..table(
        "organizations",
        "organization",
        id("id", "/id"),
        &[id("name", "/name"), time("created_at", "/created_at")],
    )
};

pub(crate) static INVITATIONS: Table = table(
    "invitations",
    "invitation",
    id("id", "/id"),
    &[
        id("organization_id", "/organization_id"),
        time("created_at", "/created_at"),
        time("expires_at", "/expires_at"),
    ],
);

pub(crate) static SESSIONS: Table = table(
    "sessions",
    "session",
    id("id", "/id"),
    &[
        id("user_id", "/user_id"),
        time("created_at", "/created_at"),
        opt_time("expires_at", "/expires_at"),
    ],
);

pub(crate) static LOGIN_SESSIONS: Table = table(
    "login_sessions",
    "login session",
    id("id", "/id"),
    &[
        time("created_at", "/created_at"),
        time("expires_at", "/expires_at"),
    ],
);

pub(crate) static CODES: Table = table(
    "codes",
    "code",
    id("code_id", "/code_id"),
    &[
        text("code_type", "/code_type"),
        time("created_at", "/created_at"),
        time("expires_at", "/expires_at"),
        opt_time("used_at", "/used_at"),
    ],
);

pub(crate) static REFRESH_TOKENS: Table = table(
    "refresh_tokens",
    "refresh token",
    id("id", "/id"),
    &[
        id("family_id", "/family_id"),
        id("client_id", "/client_id"),
        id("user_id", "/user_id"),
        col("session_id", "/session_id", ColumnKind::Text, ID, false),
        time("created_at", "/created_at"),
        opt_time("expires_at", "/expires_at"),
        opt_time("rotated_at", "/rotated_at"),
    ],
);

pub(crate) static GRANTS: Table = table(
    "grants",
    "grant",
    id("id", "/id"),
    &[
        id("user_id", "/user_id"),
        Column {
            aliases: &["clientID"],
            ..id("client_id", "/clientID")
        },
        text("audience", "/audience"),
        time("created_at", "/created_at"),
    ],
);

pub(crate) static AUTHENTICATION_METHODS: Table = table(
    "authentication_methods",
    "authentication method",
    id("id", "/id"),
    &[
        id("user_id", "/user_id"),
        text("type", "/type"),
        time("created_at", "/created_at"),
    ],
);

pub(crate) static SIGNING_KEYS: Table = Table {
    ..table(
        "signing_keys",
        "signing key",
        id("kid", "/kid"),
        &[
            time("created_at", "/created_at"),
            opt_time("revoked_at", "/revoked_at"),
        ],
    )
};

pub(crate) static LOGS: Table = Table {
    default_sort: "date",
    default_descending: true,
    ..table(
        "logs",
        "log",
        id("log_id", "/log_id"),
        &[
            time("date", "/date"),
            text("type", "/type"),
            col("user_id", "/user_id", ColumnKind::Text, ID, false),
            col("client_id", "/client_id", ColumnKind::Text, ID, false),
        ],
    )
};

pub(crate) static JOBS: Table = table(
    "jobs",
    "job",
    id("id", "/id"),
    &[time("created_at", "/created_at")],
);

pub(crate) static THEMES: Table = Table {
    default_sort: "theme_id",
    ..table("themes", "theme", id("theme_id", "/themeId"), &[])
};

pub(crate) static EMAIL_TEMPLATES: Table = Table {
    default_sort: "template",
    ..table(
        "email_templates",
        "email template",
        id("template", "/template"),
        &[],
    )
};

pub(crate) static HOOKS: Table = table(
    "hooks",
    "hook",
    id("hook_id", "/hook_id"),
    &[
        text("trigger_id", "/trigger_id"),
        time("created_at", "/created_at"),
    ],
);

pub(crate) static CUSTOM_DOMAINS: Table = table(
    "custom_domains",
    "custom domain",
    id("custom_domain_id", "/custom_domain_id"),
    &[
        col("domain", "/domain", ColumnKind::Folded, TEXT, true),
        time("created_at", "/created_at"),
    ],
);
