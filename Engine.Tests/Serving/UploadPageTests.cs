using Cardinal.Tests.Images;
using Cardinal.Tests.TestUtilities;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Cardinal.Tests.Serving;

/// <summary>
/// The upload page at / in headless Chromium (Debian's chromium and chromedriver): choose a photo, click
/// Classify, see five classes; choose a broken file, see the service's 400 message.
/// </summary>
[TestFixture, NonParallelizable]
public class UploadPageTests
{
    private const string Chromium = "/usr/bin/chromium", ChromeDriver = "/usr/bin/chromedriver";
    private ServiceHost _service = null!;
    private ChromeDriver _browser = null!;
    private string _dir = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        References.Require(Chromium, "Install Debian's chromium and chromium-driver (tools/install-references.sh does).");
        References.Require(ChromeDriver, "Install Debian's chromium-driver (tools/install-references.sh does).");
        References.Require(ServiceTests.ClassifierModel, References.RunTestScript);
        _service = await ServiceHost.StartAsync("--model", ServiceTests.ClassifierModel, "--threads", "2");
        _dir = Directory.CreateTempSubdirectory("cardinal-page-").FullName;

        var options = new ChromeOptions { BinaryLocation = Chromium };
        // Headless, and quiet: this machine's network is closed, so no background connections at all.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            $"--user-data-dir={Path.Combine(_dir, "profile")}");
        var driver = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        driver.SuppressInitialDiagnosticInformation = true;
        driver.HideCommandPromptWindow = true;
        _browser = new ChromeDriver(driver, options, TimeSpan.FromSeconds(60));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _browser?.Quit();
        _browser?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
        if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
    }

    private IWebElement WaitFor(Func<IWebDriver, IWebElement?> find) =>
        new WebDriverWait(_browser, TimeSpan.FromSeconds(60)).Until(find)!;

    [Test]
    public void ChoosePhoto_ClickClassify_ShowsFiveClasses()
    {
        _browser.Navigate().GoToUrl(_service.Url + "/");
        WaitFor(d => d.FindElement(By.Id("model")) is { } m && m.Text.Contains("1000 outputs") ? m : null);
        _browser.FindElement(By.Id("file")).SendKeys(References.Require(Path.Combine(PreprocessingTests.Folder, "coffee.png"), References.RunTestScript));
        _browser.FindElement(By.Id("classify")).Click();
        WaitFor(d => d.FindElement(By.Id("status")) is { } s && s.Text.Contains("done") ? s : null);
        var classes = _browser.FindElements(By.CssSelector("#top li"));
        Assert.That(classes, Has.Count.EqualTo(5));
        Assert.That(classes.Select(c => c.Text), Has.All.Match(@" — \d+\.\d\d %$"));
        Assert.That(_browser.FindElement(By.Id("preview")).Displayed, Is.True);

        _browser.FindElement(By.Id("embed")).Click();
        var embedding = WaitFor(d => d.FindElement(By.Id("embedding")) is { Displayed: true } e ? e : null);
        Assert.That(embedding.Text, Does.StartWith("1000 dimensions"));
    }

    [Test]
    public void BrokenFile_ShowsTheServicesError()
    {
        string broken = Path.Combine(_dir, "broken.png");
        File.WriteAllBytes(broken, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        _browser.Navigate().GoToUrl(_service.Url + "/");
        WaitFor(d => d.FindElement(By.Id("model")) is { } m && m.Text.Contains("outputs") ? m : null);
        _browser.FindElement(By.Id("file")).SendKeys(broken);
        _browser.FindElement(By.Id("classify")).Click();
        var status = WaitFor(d => d.FindElement(By.Id("status")) is { } s && s.Text.StartsWith("Error") ? s : null);
        Assert.That(status.Text, Does.StartWith("Error 400").And.Contain("not an image"));
        Assert.That(status.GetAttribute("class"), Is.EqualTo("error"));
    }
}
