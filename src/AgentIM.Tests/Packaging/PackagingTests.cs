using System.Diagnostics;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Packaging;

/// <summary>
/// The shipped systemd unit and Debian package, checked by the tools a distribution would use: `systemd-analyze
/// verify` and `lintian`. scripts/services.sh installs both; a missing tool fails the test.
/// </summary>
public sealed class PackagingTests
{
    private static readonly string Repo = FindRepo();

    [Fact]
    public async Task SystemdUnit_PassesSystemdAnalyzeVerify()
    {
        // A root with the host's units (for the targets it refers to), the packaged unit and the published binary
        // where ExecStart= looks for it.
        var root = Directory.CreateTempSubdirectory("agentim-unit-root-");
        try
        {
            var units = Path.Combine(root.FullName, "lib/systemd/system");
            Directory.CreateDirectory(units);
            Assert.Equal(0, (await RunAsync("cp", "-a", "/lib/systemd/system/.", units + "/")).ExitCode);
            File.Copy(Path.Combine(Repo, "packaging/systemd/agentim.service"), Path.Combine(units, "agentim.service"), overwrite: true);
            var bin = Path.Combine(root.FullName, "usr/bin");
            Directory.CreateDirectory(bin);
            File.Copy(PublishedBinary(), Path.Combine(bin, "agentim"));

            var verify = await RunAsync("systemd-analyze", "verify", "--root=" + root.FullName, "agentim.service");
            Assert.True(verify.ExitCode == 0 && verify.Output.Trim().Length == 0, verify.ToString());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task DebianPackage_PassesLintianWithoutErrorsOrWarnings()
    {
        var output = Directory.CreateTempSubdirectory("agentim-deb-");
        try
        {
            // What `make deb` runs after publishing.
            var build = await RunAsync(Path.Combine(Repo, "packaging/deb/build-deb.sh"), "0.1.0", PublishedBinary(), output.FullName);
            Assert.True(build.ExitCode == 0, build.ToString());
            var deb = Path.Combine(output.FullName, "agentim_0.1.0_amd64.deb");
            Assert.True(File.Exists(deb), build.ToString());

            var lintian = await RunAsync("lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", deb);
            var problems = lintian.Output.Split('\n')
                .Where(l => l.StartsWith("E: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal))
                .ToList();
            Assert.True(lintian.ExitCode == 0 && problems.Count == 0, lintian.ToString());

            // The override that README.md's Packaging section justifies ships in the package.
            var contents = await RunAsync("dpkg-deb", "--contents", deb);
            Assert.Contains("./usr/share/lintian/overrides/agentim", contents.Output);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string PublishedBinary() =>
        TestEnvironment.PublishedBinary is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException(
                "AGENTIM_BINARY must name the published binary (artifacts/publish/agentim); `make test` sets it.");

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Makefile")) && Directory.Exists(Path.Combine(dir.FullName, "packaging")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository (Makefile, packaging/) is not above the test binary");
    }

    private static async Task<ToolRun> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ToolRun(program, process.ExitCode, await stdout + await stderr);
    }

    private sealed record ToolRun(string Program, int ExitCode, string Output)
    {
        public override string ToString() => $"{Program} exited {ExitCode}:\n{Output}";
    }
}
