using AgentIM.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Http;

/// <summary>
/// Which contract routes the test run really exercised. Every in-process hub times each request it serves by method
/// and matched route template (<see cref="HttpMetrics"/>); when a hub fixture stops, its routes are added here and
/// <c>artifacts/test-results/contract-routes.txt</c> is rewritten with the running total, so after the last
/// fixture the file holds the whole run: a first line <c>contract routes exercised: N/67</c>, then the missing ones.
/// <c>make test</c> prints that first line.
/// </summary>
public static class ContractCoverage
{
    public const string FileName = "contract-routes.txt";

    private static readonly object Gate = new();
    private static readonly HashSet<string> Exercised = new(StringComparer.Ordinal);

    /// <summary>Adds the routes a hub served; called by the hub fixture before it stops.</summary>
    public static void Record(IServiceProvider services)
    {
        var served = services.GetRequiredService<HttpMetrics>().Routes.Select(r => ContractRoutes.Key(r.Key.Method, r.Key.Path)).ToList();
        lock (Gate)
        {
            Exercised.UnionWith(served);
            Write();
        }
    }

    public static string SummaryLine(int missing) =>
        $"contract routes exercised: {ContractRoutes.All.Count - missing}/{ContractRoutes.All.Count}";

    private static void Write()
    {
        if (ResultsDirectory() is not { } directory)
        {
            return;
        }

        var missing = ContractRoutes.All.Where(r => !Exercised.Contains(ContractRoutes.Key(r))).ToList();
        var lines = new List<string> { SummaryLine(missing.Count) };
        lines.AddRange(missing.Select(r => "not exercised: " + r));
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, FileName);
            File.WriteAllLines(path + ".tmp", lines);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"contract coverage: could not write {FileName}: {e.Message}");
        }
    }

    /// <summary><c>artifacts/test-results</c> of the repository the tests were built from (where AgentIM.sln is).</summary>
    private static string? ResultsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentIM.sln")))
            {
                return Path.Combine(directory.FullName, "artifacts", "test-results");
            }
        }

        return null;
    }
}
