using Npgsql;

namespace AgentIM.Infrastructure.Db;

/// <summary>The one pooled PostgreSQL data source of the process.</summary>
public sealed class HubDatabase : IAsyncDisposable
{
    public HubDatabase(string connectionString)
    {
        // The slim builder keeps only what we use, which is what makes Npgsql trim- and AOT-clean.
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.EnableArrays();
        builder.EnableTransportSecurity();
        DataSource = builder.Build();
    }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
