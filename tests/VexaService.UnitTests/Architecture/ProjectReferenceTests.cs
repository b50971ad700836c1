using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace VexaService.UnitTests.Architecture;

/// <summary>
/// The layout decided in issue 30: libraries with one job each, in layers with no cycles, and each service referencing
/// only the libraries it uses. Read from the project files and the sources, so a new reference is a decision made here.
/// </summary>
public sealed partial class ProjectReferenceTests
{
    /// <summary>Every project under <c>services/</c> and the projects it may reference, by assembly name. The Gateway
    /// needs the EF model (keys, revocations, the owners of a live meeting, the status writer for <c>/ws</c>); the
    /// Admin API never calls the Wholesaler; the emulator shares only the wire formats.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["VexaService.Contracts"] = [],
        ["VexaService.Observability"] = [],
        ["VexaService.Keys"] = [],
        ["VexaService.Http"] = ["VexaService.Contracts", "VexaService.Observability"],
        ["VexaService.Data"] = ["VexaService.Contracts", "VexaService.Keys"],
        ["VexaService.Caching"] = ["VexaService.Data"],
        ["VexaService.Wholesaler"] = ["VexaService.Contracts", "VexaService.Http", "VexaService.Observability", "VexaService.Data", "VexaService.Caching"],
        ["VexaService.WholesalerEmulator"] = ["VexaService.ServiceDefaults", "VexaService.Contracts"],
        ["VexaService.DbMigrator"] = ["VexaService.ServiceDefaults", "VexaService.Data"],
        ["VexaService.AdminApi"] = ["VexaService.ServiceDefaults", "VexaService.Contracts", "VexaService.Http", "VexaService.Keys", "VexaService.Data", "VexaService.Caching"],
        ["VexaService.BotManager"] = ["VexaService.ServiceDefaults", "VexaService.Contracts", "VexaService.Http", "VexaService.Observability", "VexaService.Data", "VexaService.Caching", "VexaService.Wholesaler"],
        ["VexaService.Gateway"] = ["VexaService.ServiceDefaults", "VexaService.Contracts", "VexaService.Http", "VexaService.Observability", "VexaService.Keys", "VexaService.Data", "VexaService.Caching", "VexaService.Wholesaler"],
        ["VexaService.Transcripts"] = ["VexaService.ServiceDefaults", "VexaService.Contracts", "VexaService.Http", "VexaService.Observability", "VexaService.Data", "VexaService.Caching", "VexaService.Wholesaler"],
    };

    private static readonly string Root = FindRoot();
    private static readonly Dictionary<string, Project> Projects = Directory
        .EnumerateFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories)
        .Select(Project.Load).ToDictionary(p => p.Name);

    [Fact]
    public void Every_project_under_services_has_a_decided_place()
    {
        Assert.Equal(Allowed.Keys.Order(), Projects.Keys.Order());
        Assert.DoesNotContain(Projects.Values, p => p.Name == "VexaService.Shared");
    }

    [Fact]
    public void Each_project_references_exactly_what_was_decided()
    {
        foreach (var (name, project) in Projects)
        {
            Assert.True(Allowed[name].Order().SequenceEqual(project.References.Order()),
                $"{name} references [{string.Join(", ", project.References.Order())}], decided: [{string.Join(", ", Allowed[name].Order())}]");
        }
    }

    [Fact]
    public void The_libraries_form_layers_without_a_cycle()
    {
        var done = new HashSet<string>();
        var path = new List<string>();

        void Visit(string name)
        {
            Assert.False(path.Contains(name), "reference cycle: " + string.Join(" -> ", path.Append(name)));
            if (!done.Add(name))
            {
                return;
            }
            path.Add(name);
            foreach (var next in Allowed.GetValueOrDefault(name, []))
            {
                Visit(next);
            }
            path.RemoveAt(path.Count - 1);
        }

        foreach (var name in Allowed.Keys)
        {
            Visit(name);
        }
    }

    [Fact]
    public void A_project_uses_each_library_it_references_and_references_each_library_it_uses()
    {
        foreach (var (name, project) in Projects)
        {
            var used = project.UsedLibraries();
            var referenced = project.References.Where(r => r != "VexaService.ServiceDefaults").ToHashSet();
            Assert.True(referenced.SetEquals(used),
                $"{name} references [{string.Join(", ", referenced.Order())}] but its sources use [{string.Join(", ", used.Order())}]");
        }
    }

    private sealed partial record Project(string Name, string Directory, string[] References)
    {
        public static Project Load(string path)
        {
            var xml = XDocument.Load(path);
            var name = xml.Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(path);
            var references = xml.Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToArray();
            return new Project(name, Path.GetDirectoryName(path)!, references);
        }

        /// <summary>Our libraries whose namespace a source file of this project imports or names, itself excepted.</summary>
        public HashSet<string> UsedLibraries() => System.IO.Directory
            .EnumerateFiles(Directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LibraryNamespace().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Select(n => "VexaService." + n)
            .Where(n => n != Name)
            .ToHashSet();

        [GeneratedRegex(@"\bVexaService\.(Contracts|Http|Observability|Keys|Data|Caching|Wholesaler)\b")]
        private static partial Regex LibraryNamespace();
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VexaService.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("VexaService.sln not found above " + AppContext.BaseDirectory);
    }
}
