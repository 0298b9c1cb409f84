package dev.zerver.effects.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.zerver.Effect;
import dev.zerver.config.Env;
import dev.zerver.config.KnownSettings;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.telemetry.ParkCause;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@link Db} effects over JDBC with a HikariCP pool: the embedded default is a SQLite file,
 * and a PostgreSQL URL works the same way.
 *
 * <p>A statement blocks its effect worker; the pool size is the database's concurrency limit.
 * What the job waits on is recorded as parks: a pooled connection ({@code backpressure},
 * token {@code db_pool}, with the pool's in-use and maximum), SQLite's single writer
 * ({@code lock}, token {@code sqlite_writer}), the statement in flight ({@code io_wait}, token
 * the database system). A time-out or cancellation cancels the running statement.
 *
 * <pre>{@code
 * JdbcEffects db = JdbcEffects.builder().url("jdbc:sqlite:blog.db").poolSize(4).build();
 * Zerver.builder().effectHandler(db) ...
 * }</pre>
 */
public final class JdbcEffects implements KnownSettings, EffectHandler<DbRequest>, AutoCloseable {
    public static final String URL = "ZER_VER_DB_URL";
    public static final String POOL_SIZE = "ZER_VER_DB_POOL_SIZE";
    public static final String USER = "ZER_VER_DB_USER";
    public static final String PASSWORD = "ZER_VER_DB_PASSWORD";
    public static final String POOL_TIMEOUT = "ZER_VER_DB_POOL_TIMEOUT";
    public static final String DEFAULT_URL = "jdbc:sqlite:zerver.db";

    private final HikariDataSource pool;
    private final String system;
    private final String namespace;
    private final String serverAddress;
    private final int serverPort;
    private final int poolSize;
    private final Map<String, String> described;
    /** SQLite has one writer; waiting for it here makes the wait visible as a {@code lock} park. */
    private final Semaphore sqliteWriter;
    /** The SQLite file and its identity when opened; null for other databases and in-memory ones. */
    private final Path sqliteFile;
    private final Object sqliteFileKey;

    private JdbcEffects(Builder b) {
        described = b.describe();
        system = systemOf(b.url);
        requireDriver(system);
        poolSize = b.poolSize;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(b.url);
        config.setMaximumPoolSize(b.poolSize);
        config.setMinimumIdle(b.poolSize);
        config.setConnectionTimeout(b.poolTimeout.toMillis());
        config.setPoolName("zerver-db");
        if (b.user != null) {
            config.setUsername(b.user);
        }
        if (b.password != null) {
            config.setPassword(b.password);
        }
        if (system.equals("sqlite")) {
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "5000");
            config.addDataSourceProperty("foreign_keys", "true");
        }
        pool = new HikariDataSource(config);
        sqliteWriter = system.equals("sqlite") ? new Semaphore(1, true) : null;
        sqliteFile = system.equals("sqlite") ? sqliteFile(b.url) : null;
        sqliteFileKey = sqliteFile == null ? null : fileKey(sqliteFile);
        String[] where = locate(b.url, system);
        namespace = where[0];
        serverAddress = where[1];
        serverPort = where[2] == null ? -1 : Integer.parseInt(where[2]);
    }

    /** The driver of a known database must be among the application's dependencies; say which one if not. */
    private static void requireDriver(String system) {
        String[] driver = switch (system) {
            case "sqlite" -> new String[] {"org.sqlite.JDBC", "org.xerial:sqlite-jdbc"};
            case "postgresql" -> new String[] {"org.postgresql.Driver", "org.postgresql:postgresql"};
            default -> null;
        };
        if (driver == null) {
            return;
        }
        try {
            Class.forName(driver[0], false, JdbcEffects.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a jdbc:" + system + ": URL needs the JDBC driver " + driver[1]
                    + " among the application's dependencies");
        }
    }

    @Override
    public Set<String> settingNames() {
        return KnownSettings.constantsOf(JdbcEffects.class);
    }

    /** The effective pool settings; the password and any secret in the URL are for the printer to redact. */
    @Override
    public Map<String, String> describe() {
        return described;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that also reads the environment: {@code ZER_VER_DB_URL} (default
     * {@value #DEFAULT_URL}), {@code ZER_VER_DB_POOL_SIZE} (default 4), {@code ZER_VER_DB_USER},
     * {@code ZER_VER_DB_PASSWORD}, {@code ZER_VER_DB_POOL_TIMEOUT} (default 30s). As everywhere in
     * Zerver, a variable that is set wins over the value given in code.
     */
    public static Builder builder(Map<String, String> environment) {
        Builder b = builder();
        b.environment = Map.copyOf(environment);
        return b;
    }

    @Override
    public Class<DbRequest> requestType() {
        return DbRequest.class;
    }

    /** {@code db.system.name}: {@code sqlite}, {@code postgresql}, ... */
    public String system() {
        return system;
    }

    public int poolSize() {
        return poolSize;
    }

    /** A connection for set-up work outside effects (schema, seed data). */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public CompletionStage<EffectResult> execute(DbRequest r, Effect effect, EffectContext ctx) {
        ctx.attribute("db.system.name", system);
        ctx.attribute("db.operation.name", r.operation());
        if (r.table() != null) {
            ctx.attribute("db.collection.name", r.table());
        }
        if (namespace != null) {
            ctx.attribute("db.namespace", namespace);
        }
        ctx.attribute("db.query.text", SqlText.analysis(r.sql()).sanitized());
        if (serverAddress != null) {
            ctx.attribute("server.address", serverAddress);
            if (serverPort > 0) {
                ctx.attribute("server.port", serverPort);
            }
        }
        if (r.isWrite() && sqliteFile != null && !Objects.equals(fileKey(sqliteFile), sqliteFileKey)) {
            // The open connections still write to the unlinked file: acknowledged writes would vanish.
            return CompletableFuture.failedFuture(EffectFailure.infrastructure("database_file_missing",
                    "the SQLite file " + sqliteFile + " was deleted or replaced after start; restart to reopen it"));
        }
        try {
            return CompletableFuture.completedFuture(run(r, ctx));
        } catch (SQLException e) {
            return CompletableFuture.failedFuture(classify(e, ctx));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(EffectFailure.infrastructure("interrupted", "interrupted"));
        }
    }

    private EffectResult run(DbRequest r, EffectContext ctx) throws SQLException, InterruptedException {
        boolean writer = sqliteWriter != null && r.isWrite();
        Connection c = borrow(ctx);
        try {
            if (writer && !sqliteWriter.tryAcquire()) {
                ctx.park(ParkCause.LOCK, "sqlite_writer", 1, 1);
                sqliteWriter.acquire();
                ctx.resume();
            }
            try (PreparedStatement st = c.prepareStatement(r.sql())) {
                AtomicReference<PreparedStatement> running = new AtomicReference<>(st);
                ctx.onAbandon(() -> cancelQuietly(running.get()));
                for (int i = 0; i < r.params().size(); i++) {
                    st.setObject(i + 1, r.params().get(i));
                }
                ctx.park(ParkCause.IO_WAIT, system);
                try {
                    return r.shape() == DbRequest.Shape.COUNT ? count(st.executeUpdate()) : rows(st, r.shape());
                } finally {
                    ctx.resume();
                    running.set(null);
                }
            } finally {
                if (writer) {
                    sqliteWriter.release();
                }
            }
        } finally {
            c.close();
        }
    }

    /** Takes a pooled connection, parked as backpressure on {@code db_pool} when none is idle. */
    private Connection borrow(EffectContext ctx) throws SQLException {
        HikariPoolMXBean stats = pool.getHikariPoolMXBean();
        boolean wait = stats != null && stats.getIdleConnections() == 0;
        if (wait) {
            ctx.park(ParkCause.BACKPRESSURE, "db_pool", stats.getActiveConnections(), poolSize);
        }
        try {
            return pool.getConnection();
        } finally {
            if (wait) {
                ctx.resume();
            }
        }
    }

    private static EffectResult count(int n) {
        return new EffectResult(n, Integer.BYTES);
    }

    private static EffectResult rows(PreparedStatement st, DbRequest.Shape shape) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        long size = 0;
        try (ResultSet rs = st.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            int columns = md.getColumnCount();
            String[] labels = new String[columns];
            for (int i = 0; i < columns; i++) {
                labels[i] = md.getColumnLabel(i + 1).toLowerCase(Locale.ROOT);
            }
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>(columns * 2);
                for (int i = 1; i <= columns; i++) {
                    Object v = rs.getObject(i);
                    row.put(labels[i - 1], v);
                    size += v instanceof byte[] b ? b.length : v == null ? 0 : v.toString().length();
                }
                rows.add(row);
                if (shape == DbRequest.Shape.ONE_ROW) {
                    break;
                }
            }
        }
        if (shape == DbRequest.Shape.ONE_ROW) {
            return rows.isEmpty() ? EffectResult.empty() : new EffectResult(rows.get(0), size);
        }
        return new EffectResult(rows, size);
    }

    /**
     * What the request's own data caused is the application's failure (SQLState class 23,
     * constraints: 409; class 22, data exceptions: 400) and never feeds a circuit breaker;
     * everything else (pool exhaustion, lost connections, a missing table or bad SQL, class 42)
     * is the infrastructure's.
     */
    private EffectFailure classify(SQLException e, EffectContext ctx) {
        if (ctx.isAbandoned()) {
            return EffectFailure.infrastructure("cancelled", "statement cancelled");
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (e instanceof SQLTransientConnectionException) {
            return EffectFailure.infrastructure("pool_timeout", "no pooled connection within the pool timeout");
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (state.startsWith("23") || (system.equals("sqlite") && message.contains("SQLITE_CONSTRAINT"))) {
            return EffectFailure.application("constraint_violation", message, 409);
        }
        if (state.startsWith("22") || (system.equals("sqlite")
                && (message.contains("SQLITE_MISMATCH") || message.contains("SQLITE_TOOBIG")))) {
            return EffectFailure.application("invalid_data", message, 400);
        }
        if (state.startsWith("42") || (system.equals("sqlite") && message.contains("SQLITE_ERROR"))) {
            return EffectFailure.infrastructure("sql_error", message);
        }
        return EffectFailure.infrastructure(state.startsWith("08") ? "connection_error" : "db_error", message);
    }

    private static void cancelQuietly(PreparedStatement st) {
        if (st == null) {
            return;
        }
        try {
            st.cancel();
        } catch (SQLException | RuntimeException ignored) {
            // The statement finished or its connection is gone: nothing is left to cancel.
        }
    }

    /** Threads blocked waiting for a pooled connection (tests make contention certain with it). */
    int threadsAwaitingConnection() {
        HikariPoolMXBean stats = pool.getHikariPoolMXBean();
        return stats == null ? 0 : stats.getThreadsAwaitingConnection();
    }

    /** SQLite's writer lock as this handler holds it, or null for other databases. */
    Semaphore sqliteWriter() {
        return sqliteWriter;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String systemOf(String url) {
        String rest = url.substring("jdbc:".length());
        int colon = rest.indexOf(':');
        return (colon < 0 ? rest : rest.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** The file of a {@code jdbc:sqlite:path} URL; null for in-memory and {@code file:} URI forms. */
    private static Path sqliteFile(String url) {
        String path = url.substring("jdbc:sqlite:".length());
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
            return null;
        }
        return Path.of(path).toAbsolutePath();
    }

    /** The file's identity (device and inode on Unix), or null when it is gone. */
    private static Object fileKey(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.creationTime();
        } catch (IOException e) {
            return null;
        }
    }

    /** {namespace, server address, server port} from the URL; the address only for networked databases. */
    private static String[] locate(String url, String system) {
        if (system.equals("sqlite")) {
            String path = url.substring("jdbc:sqlite:".length());
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
            String name = path.substring(path.lastIndexOf('/') + 1);
            return new String[] {name.isEmpty() || name.equals(":memory:") ? "memory" : name, null, null};
        }
        try {
            URI u = URI.create(url.substring("jdbc:".length()));
            String db = u.getPath() == null ? null : u.getPath().replaceFirst("^/", "");
            return new String[] {db == null || db.isEmpty() ? null : db, u.getHost(),
                    u.getPort() > 0 ? Integer.toString(u.getPort()) : null};
        } catch (IllegalArgumentException e) {
            return new String[] {null, null, null};
        }
    }

    /** Pool settings; {@link #build()} opens the pool. */
    public static final class Builder {
        private String url = DEFAULT_URL;
        private int poolSize = 4;
        private String user;
        private String password;
        private Duration poolTimeout = Duration.ofSeconds(30);
        private Map<String, String> environment = Map.of();

        private Builder() {}

        /** This builder's values with every variable set in the environment applied over them. */
        private Builder resolved() {
            Env env = new Env(environment);
            Builder r = new Builder();
            r.url = env.parse(URL, url, Builder::checkUrl, "a JDBC URL such as jdbc:sqlite:blog.db or "
                    + "jdbc:postgresql://host:5432/db");
            r.poolSize = env.integer(POOL_SIZE, poolSize, 1, 1000);
            r.user = env.raw(USER) != null ? env.raw(USER) : user;
            r.password = env.raw(PASSWORD) != null ? env.raw(PASSWORD) : password;
            r.poolTimeout = env.duration(POOL_TIMEOUT, poolTimeout, Duration.ofMillis(250));
            return r;
        }

        private Map<String, String> describe() {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put(URL, url);
            m.put(POOL_SIZE, Integer.toString(poolSize));
            if (user != null) {
                m.put(USER, user);
            }
            if (password != null) {
                m.put(PASSWORD, password);
            }
            m.put(POOL_TIMEOUT, Env.format(poolTimeout));
            return Collections.unmodifiableMap(m);
        }

        /** A JDBC URL: {@code jdbc:sqlite:path/to/file.db} or {@code jdbc:postgresql://host:5432/db}. */
        public Builder url(String value) {
            url = checkUrl(value);
            return this;
        }

        /** Pooled connections: the database's concurrency limit. */
        public Builder poolSize(int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("pool size must be from 1 to 1000, got " + value);
            }
            poolSize = value;
            return this;
        }

        public Builder user(String value) {
            user = value;
            return this;
        }

        public Builder password(String value) {
            password = value;
            return this;
        }

        /** How long a statement may wait for a pooled connection before it fails ({@code pool_timeout}). */
        public Builder poolTimeout(Duration value) {
            if (value == null || value.toMillis() < 250) {
                throw new IllegalArgumentException("pool timeout must be at least 250ms, got " + value);
            }
            poolTimeout = value;
            return this;
        }

        public String url() {
            return url;
        }

        public int poolSize() {
            return poolSize;
        }

        /** Opens the pool (and, for SQLite, creates the file); a database that cannot be reached fails here. */
        public JdbcEffects build() {
            return new JdbcEffects(resolved());
        }

        private static String checkUrl(String value) {
            Objects.requireNonNull(value, "url");
            if (!value.matches("jdbc:[a-z0-9]+:.+")) {
                throw new IllegalArgumentException("not a JDBC URL: " + value.replaceAll("password=[^&]*",
                        "password=REDACTED"));
            }
            return value;
        }
    }
}
