using AgentIM.Infrastructure.Db;
using AgentIM.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentIM.Tests.Migrations;

/// <summary>
/// What <c>agentim migrate</c> does, through <see cref="Migrator"/> on databases of its own: each migration once, safe to
/// repeat, safe to race from two processes, and a status that lists every version without changing anything.
/// </summary>
public sealed class MigratorTests
{
    [Fact]
    public void Embedded_Migrations_HaveUniqueVersionsInOrder()
    {
        var versions = Migrator.Embedded.Select(m => m.Version).ToList();

        Assert.Contains("0001", versions);
        Assert.Contains("0002", versions);
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        Assert.Equal(versions.Order(StringComparer.Ordinal), versions);
        Assert.All(Migrator.Embedded, m => Assert.False(string.IsNullOrWhiteSpace(m.Sql)));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_SecondRunAppliesNothing()
    {
        await using var database = await FreshDatabase.CreateAsync();
        var migrator = database.NewMigrator();

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(Migrator.Embedded.Count, first);
        Assert.Equal(0, second);
        Assert.Equal(Migrator.Embedded.Select(m => m.Version), await database.AppliedVersionsAsync());
        Assert.True(await database.TableExistsAsync("messages"));
    }

    [Fact]
    public async Task MigrateAsync_TwoMigratorsRacingOnFreshDatabase_BothSucceedAndEachVersionAppliesOnce()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var database = await FreshDatabase.CreateAsync();
            // Separate pools, as two hosts running `agentim migrate` at once would have.
            await using var otherPool = new HubDatabase(ConnectionStrings.ToNpgsql(database.Url, 2));
            var migrators = new[] { database.NewMigrator(), new Migrator(otherPool, NullLogger<Migrator>.Instance) };
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = migrators.Select(async migrator =>
            {
                await gate.Task;
                return await migrator.MigrateAsync(CancellationToken.None);
            }).ToArray();

            gate.SetResult();
            var applied = await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(Migrator.Embedded.Count, applied.Sum());
            Assert.Contains(0, applied);
            Assert.Equal(Migrator.Embedded.Select(m => m.Version), await database.AppliedVersionsAsync());
        }
    }

    [Fact]
    public async Task StatusAsync_AfterMigrate_ListsEveryVersionApplied()
    {
        await using var database = await FreshDatabase.CreateAsync();
        var migrator = database.NewMigrator();
        var before = DateTime.UtcNow.AddMinutes(-1);
        await migrator.MigrateAsync(CancellationToken.None);

        var status = await migrator.StatusAsync(CancellationToken.None);

        Assert.Equal(Migrator.Embedded.Select(m => (m.Version, m.Name)), status.Select(s => (s.Version, s.Name)));
        Assert.All(status, s => Assert.InRange(s.AppliedAt!.Value, before, DateTime.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task StatusAsync_FreshDatabase_ListsEveryVersionPendingAndChangesNothing()
    {
        await using var database = await FreshDatabase.CreateAsync();

        var status = await database.NewMigrator().StatusAsync(CancellationToken.None);

        Assert.Equal(Migrator.Embedded.Select(m => m.Version), status.Select(s => s.Version));
        Assert.All(status, s => Assert.Null(s.AppliedAt));
        // `migrate --status` promises to change nothing: not even the bookkeeping table may appear.
        Assert.False(await database.TableExistsAsync("schema_migrations"));
    }

    [Fact]
    public async Task StatusAsync_RacingMigrateOnFreshDatabase_BothSucceed()
    {
        await using var database = await FreshDatabase.CreateAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var migrate = Task.Run(async () =>
        {
            await gate.Task;
            return await database.NewMigrator().MigrateAsync(CancellationToken.None);
        });
        var status = Task.Run(async () =>
        {
            await gate.Task;
            return await database.NewMigrator().StatusAsync(CancellationToken.None);
        });

        gate.SetResult();
        await Task.WhenAll(migrate, status).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Migrator.Embedded.Count, await migrate);
        Assert.Equal(Migrator.Embedded.Count, (await status).Count);
    }

    /// <summary>An empty database of the test's own, dropped afterwards.</summary>
    private sealed class FreshDatabase : IAsyncDisposable
    {
        private readonly HubDatabase _pool;

        private FreshDatabase(string url)
        {
            Url = url;
            _pool = new HubDatabase(ConnectionStrings.ToNpgsql(url, 4));
        }

        public string Url { get; }

        public static async Task<FreshDatabase> CreateAsync() => new(await TestEnvironment.CreateDatabaseAsync("agentim_migr"));

        public Migrator NewMigrator() => new(_pool, NullLogger<Migrator>.Instance);

        public async Task<List<string>> AppliedVersionsAsync()
        {
            await using var connection = await TestSql.OpenAsync(Url);
            await using var command = new Npgsql.NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var versions = new List<string>();
            while (await reader.ReadAsync())
            {
                versions.Add(reader.GetString(0));
            }

            return versions;
        }

        public async Task<bool> TableExistsAsync(string table) =>
            await TestSql.ScalarAsync<object>(Url, "SELECT to_regclass($1)::text", table) is string;

        public async ValueTask DisposeAsync()
        {
            await _pool.DisposeAsync();
            await TestEnvironment.DropDatabaseAsync(Url);
        }
    }
}
