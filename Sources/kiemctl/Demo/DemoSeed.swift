import KiemProtocol

/// The demo's data: initiatives of three public service providers (UWV, SVB,
/// Rijkswaterstaat), in Dutch, inspired by the report "Samen werken aan
/// vernieuwing" (Staat van de Uitvoering) on innovation at public service
/// providers: multi-party computation, robotics, AI, innovation-friendly
/// procurement, time for ideas from the shop floor, and scaling what has
/// proven itself elsewhere. Names and figures are invented.
enum DemoSeed {
    /// One initiative as its owner records it.
    struct Initiative: Sendable {
        /// Names the initiative within the seed (for lineage, endorsements
        /// and the showcase); not stored.
        let key: String
        /// The owner's demo node: `uwv`, `svb` or `rws`.
        let owner: String
        let title: String
        let summary: String
        let description: String
        let contact: String
        /// From one small vocabulary: ai, cultuur, data, dienstverlening,
        /// duurzaamheid, inkoop, mpc, privacy, robotica.
        let themes: [String]
        var links: [Link] = []
        /// The phases it went through: created in the first, then moved to
        /// each next one.
        let phases: [Kiem_V1_Phase]
        /// Why it stopped, when the last phase is `stopped`.
        var lessonsLearned: String = ""
        var progress: [Progress] = []
        /// The key of the initiative it was started from.
        var derivedFrom: String?
    }

    /// A link or piece of evidence.
    struct Link: Sendable {
        let title: String
        let url: String
    }

    /// An entry of an initiative's progress log.
    struct Progress: Sendable {
        /// YYYY-MM-DD.
        let date: String
        let text: String
        var metrics: [Metric] = []
    }

    /// A measurement in a progress entry.
    struct Metric: Sendable {
        let name: String
        let value: Double
        let unit: String
    }

    /// An endorsement by the regie.
    struct Endorsement: Sendable {
        let key: String
        let note: String
    }

    /// The regie's annotation of an initiative: how it files it in the
    /// portfolio it steers.
    struct Annotation: Sendable {
        let key: String
        let label: String
        let priority: Kiem_V1_Priority
        let note: String
    }

    /// One agency adopting another's initiative: the demo's showcase.
    struct Adoption: Sendable {
        let adopter: String
        let key: String
        let status: Kiem_V1_AdoptionStatus
        let note: String
    }

    private static let webinarInfrastructure = Link(
        title: "Webinar: de innovatie-infrastructuur", url: "https://haagsebeek.nl/webinar/de-innovatie-infrastructuur")
    private static let webinarProcurement = Link(
        title: "Webinar: innovatievriendelijke inkoop", url: "https://haagsebeek.nl/webinar/innovatievriendelijke-inkoop")
    private static let webinarInnovations = Link(
        title: "Webinar: aandacht voor smaakmakende innovaties",
        url: "https://haagsebeek.nl/webinar/aandacht-voor-smaakmakende-innovaties")
    private static let barometer = Link(
        title: "Innovatie Barometer Overheid", url: "https://www.kennisvandeoverheid.nl/organisatiecultuur/innovatie-barometer")

    /// The initiatives, in the order they are created (a derived one after
    /// its source).
    static let initiatives: [Initiative] = [
        // ---- UWV ----
        Initiative(
            key: "uwv-mpc-samenloop", owner: "uwv",
            title: "Samenloop van uitkeringen vaststellen met multi-party computation",
            summary: "UWV en gemeenten zien of iemand tegelijk WW en bijstand krijgt, zonder elkaars bestanden in te zien.",
            description: """
                Gemeenten en UWV controleren samenloop van uitkeringen nu door bestanden uit te wisselen. Met \
                multi-party computation (MPC) rekenen beide partijen samen op versleutelde gegevens: alleen de \
                uitkomst (wel of geen samenloop) wordt zichtbaar, geen persoonsgegevens. Na een experiment met één \
                gemeente liep een pilot met drie gemeenten; de aanpak is bewezen en klaar om elders als \
                uitgangspunt te nemen.
                """,
            contact: "Sanne de Vries, UWV Innovatielab (innovatielab@uwv.example)",
            themes: ["mpc", "privacy", "data"],
            links: [webinarInfrastructure],
            phases: [.idea, .experiment, .pilot, .proven],
            progress: [
                Progress(date: "2025-03-14", text: "Experiment met één gemeente: 4.000 dossiers vergeleken zonder dat er een bestand de deur uit ging.",
                         metrics: [Metric(name: "dossiers vergeleken", value: 4_000, unit: "dossiers")]),
                Progress(date: "2025-09-30", text: "Pilot met drie gemeenten afgerond; de functionaris gegevensbescherming en de gemeenten stemmen in met voortzetting.",
                         metrics: [Metric(name: "gemeenten", value: 3, unit: "gemeenten"),
                                   Metric(name: "doorlooptijd controle", value: 2, unit: "dagen"),
                                   Metric(name: "uitgewisselde persoonsgegevens", value: 0, unit: "records")]),
            ]),
        Initiative(
            key: "uwv-brieven-ai", owner: "uwv",
            title: "Begrijpelijke brieven met een AI-schrijfassistent",
            summary: "Een taalmodel stelt een B1-versie van WW-brieven voor; een medewerker controleert en verstuurt.",
            description: """
                Veel brieven zijn juridisch correct maar moeilijk te begrijpen. De schrijfassistent draait binnen \
                UWV, krijgt geen persoonsgegevens mee en doet een voorstel op taalniveau B1 dat de medewerker \
                aanpast of afwijst. Er wordt gemeten hoeveel vragen over een brief bij het klantcontactcentrum \
                binnenkomen.
                """,
            contact: "Jeroen Bakker, Klantcommunicatie UWV (brieven@uwv.example)",
            themes: ["ai", "dienstverlening"],
            phases: [.idea, .experiment, .pilot],
            progress: [
                Progress(date: "2025-06-02", text: "Pilot gestart bij twee WW-teams.",
                         metrics: [Metric(name: "brieven herschreven", value: 1_200, unit: "brieven")]),
                Progress(date: "2025-10-15", text: "Minder bellers met vragen over de herschreven brieven.",
                         metrics: [Metric(name: "vragen per 100 brieven", value: 6.5, unit: "vragen"),
                                   Metric(name: "voorstellen overgenomen", value: 82, unit: "%")]),
            ]),
        Initiative(
            key: "uwv-spraak", owner: "uwv",
            title: "Spraakherkenning voor gespreksverslagen bij re-integratie",
            summary: "Automatisch een concept-verslag van een re-integratiegesprek, zodat de adviseur meer tijd heeft voor de klant.",
            description: """
                Re-integratieadviseurs besteden na elk gesprek ruim een half uur aan het verslag. Een experiment \
                met spraakherkenning van een externe leverancier moest dat halveren.
                """,
            contact: "Ayşe Yılmaz, Werkbedrijf UWV (werkbedrijf-innovatie@uwv.example)",
            themes: ["ai", "privacy"],
            phases: [.idea, .experiment, .stopped],
            lessonsLearned: """
                Gestopt na zes weken experimenteren. De herkenning van vaktermen en dialecten bleef onder de maat \
                (18% woordfouten), en de standaardvoorwaarden van de leverancier lieten opslag van audio buiten de \
                EU toe. Geleerd: eisen aan gegevensopslag en een DPIA horen vóór de marktconsultatie, niet erna; \
                en klein beginnen loonde: na zes weken wisten we genoeg om verantwoord te stoppen. De meetopzet \
                (tijd per verslag) is herbruikbaar voor een volgende poging.
                """,
            progress: [
                Progress(date: "2025-02-20", text: "Twintig gesprekken opgenomen en vergeleken met handmatige verslagen.",
                         metrics: [Metric(name: "woordfouten", value: 18, unit: "%")]),
            ]),
        Initiative(
            key: "uwv-marktconsultatie", owner: "uwv",
            title: "Marktconsultatie op vraagstukken in plaats van oplossingen",
            summary: "Leveranciers denken vroeg mee over een vraagstuk, zonder bestek en zonder bureaucratische lasten.",
            description: """
                Innovatievriendelijke inkoop: UWV legt open vraagstukken (zoals het vinden van passend werk in \
                krappe regio's) voor aan de markt voordat er een oplossing is gekozen. Kleine experimenten mogen \
                mislukken; bij een goed resultaat volgt opschaling via een innovatiepartnerschap.
                """,
            contact: "Mark Jansen, Inkoop UWV (inkoop-innovatie@uwv.example)",
            themes: ["inkoop"],
            links: [webinarProcurement],
            phases: [.idea, .experiment]),
        Initiative(
            key: "uwv-innovatieruimte", owner: "uwv",
            title: "Vier uur per week innovatieruimte voor de werkvloer",
            summary: "Medewerkers in de uitvoering krijgen vaste tijd om een eigen idee uit te werken, met een coach van het Innovatielab.",
            description: """
                Vernieuwing verliest het vaak van het 'hier en nu' van de productie. In deze pilot krijgen \
                medewerkers van twee districten vier uur per week voor een idee van de werkvloer, met begeleiding \
                en een vaste plek om resultaten te laten zien.
                """,
            contact: "Sanne de Vries, UWV Innovatielab (innovatielab@uwv.example)",
            themes: ["cultuur"],
            links: [barometer],
            phases: [.idea, .pilot],
            progress: [
                Progress(date: "2025-11-01", text: "Eerste ronde: 14 ideeën ingediend, 5 doorgezet naar een experiment.",
                         metrics: [Metric(name: "ideeën ingediend", value: 14, unit: "ideeën"),
                                   Metric(name: "naar experiment", value: 5, unit: "ideeën")]),
            ]),

        // ---- SVB ----
        Initiative(
            key: "svb-aow-proactief", owner: "svb",
            title: "AOW aanvragen zonder formulier",
            summary: "De SVB stuurt een vooraf ingevuld voorstel; wie niets hoeft te wijzigen, bevestigt met één klik.",
            description: """
                Met gegevens die de SVB al heeft, krijgt iemand een half jaar voor de AOW-leeftijd een vooraf \
                ingevuld voorstel. Na een bewezen pilot wordt de aanpak nu over alle regio's uitgerold.
                """,
            contact: "Karin Visser, SVB Dienstverlening (aow-proactief@svb.example)",
            themes: ["dienstverlening", "data"],
            links: [webinarInnovations],
            phases: [.pilot, .proven, .scaling],
            progress: [
                Progress(date: "2025-04-10", text: "Pilot in regio Noord afgerond.",
                         metrics: [Metric(name: "aanvragen zonder formulier", value: 64, unit: "%")]),
                Progress(date: "2025-10-01", text: "Uitrol naar vier regio's; klanttevredenheid gestegen.",
                         metrics: [Metric(name: "aanvragen zonder formulier", value: 71, unit: "%"),
                                   Metric(name: "klanttevredenheid", value: 8.1, unit: "cijfer")]),
            ]),
        Initiative(
            key: "svb-chatbot", owner: "svb",
            title: "Digitale assistent voor vragen over kinderbijslag",
            summary: "Een assistent beantwoordt de meest gestelde vragen over kinderbijslag en verwijst door naar een medewerker.",
            description: """
                Experiment met een digitale assistent op de website die alleen antwoorden geeft uit goedgekeurde \
                teksten en bij twijfel altijd doorverwijst. Gemeten wordt hoeveel vragen zonder telefoontje \
                worden opgelost.
                """,
            contact: "Ruben Smit, SVB Klantcontact (klantcontact-innovatie@svb.example)",
            themes: ["ai", "dienstverlening"],
            phases: [.idea, .experiment]),
        Initiative(
            key: "svb-portfolio", owner: "svb",
            title: "Portfoliosturing op vernieuwing onder de Chief Change Officer",
            summary: "Een vast innovatiebudget en een portfolioraad die per kwartaal besluit wat doorgaat, opschaalt of stopt.",
            description: """
                Sturing ligt vaak alleen op efficiency in het primaire proces. De SVB maakt vernieuwing \
                voorspelbaar: de Chief Change Officer beheert een portfolio met een vast budget, en resultaten \
                worden verantwoord zoals de productie dat wordt.
                """,
            contact: "Eva de Boer, bureau Chief Change Officer SVB (verandering@svb.example)",
            themes: ["cultuur"],
            links: [webinarInnovations],
            phases: [.experiment, .pilot],
            progress: [
                Progress(date: "2025-07-01", text: "Eerste twee kwartalen: 11 initiatieven beoordeeld, 3 gestopt, 2 opgeschaald.",
                         metrics: [Metric(name: "beoordeeld", value: 11, unit: "initiatieven"),
                                   Metric(name: "gestopt", value: 3, unit: "initiatieven"),
                                   Metric(name: "opgeschaald", value: 2, unit: "initiatieven")]),
            ]),
        Initiative(
            key: "svb-brieven-ai", owner: "svb",
            title: "Begrijpelijke brieven over kinderbijslag, naar het voorbeeld van UWV",
            summary: "De schrijfassistent van UWV als uitgangspunt voor de brieven over kinderbijslag.",
            description: """
                Wat bij UWV werkt, wordt bij de SVB het uitgangspunt: dezelfde werkwijze en meetopzet, toegepast \
                op de brieven over kinderbijslag.
                """,
            contact: "Karin Visser, SVB Dienstverlening (aow-proactief@svb.example)",
            themes: ["ai", "dienstverlening"],
            phases: [.idea],
            derivedFrom: "uwv-brieven-ai"),
        Initiative(
            key: "svb-mpc-inkoop", owner: "svb",
            title: "Samen één MPC-platform inkopen",
            summary: "Uitvoeringsorganisaties kopen samen een platform voor multi-party computation in, in plaats van elk apart.",
            description: """
                Meerdere publieke dienstverleners verkennen MPC. Een gezamenlijke marktconsultatie en één \
                innovatiepartnerschap voorkomen dat elke organisatie hetzelfde apart uitzoekt.
                """,
            contact: "Thomas Mulder, Inkoop SVB (inkoop@svb.example)",
            themes: ["mpc", "inkoop"],
            links: [webinarProcurement, webinarInfrastructure],
            phases: [.idea]),

        // ---- Rijkswaterstaat ----
        Initiative(
            key: "rws-drones", owner: "rws",
            title: "Inspectiedrones voor bruggen en sluizen",
            summary: "Drones met camera's inspecteren de onderkant van bruggen, zonder hoogwerker en zonder afsluiting van de weg.",
            description: """
                Inspecteurs beoordelen de beelden; een model markeert mogelijke scheuren en roest. Na een bewezen \
                pilot in Zeeland worden de drones landelijk ingezet.
                """,
            contact: "Pieter van Dijk, RWS Assetmanagement (drones@rws.example)",
            themes: ["robotica", "ai"],
            phases: [.experiment, .pilot, .proven, .scaling],
            progress: [
                Progress(date: "2025-05-20", text: "Pilot Zeeland: inspectietijd per brug van drie dagen naar vier uur.",
                         metrics: [Metric(name: "inspectietijd per brug", value: 4, unit: "uur"),
                                   Metric(name: "wegafsluitingen", value: 0, unit: "afsluitingen")]),
                Progress(date: "2025-11-10", text: "Landelijke uitrol: 38 bruggen en 6 sluizen geïnspecteerd.",
                         metrics: [Metric(name: "bruggen", value: 38, unit: "bruggen"),
                                   Metric(name: "sluizen", value: 6, unit: "sluizen")]),
            ]),
        Initiative(
            key: "rws-onderwaterrobot", owner: "rws",
            title: "Onderwaterrobot voor inspectie van kademuren",
            summary: "Een kleine onderwaterrobot brengt de staat van kademuren in beeld zonder duikers.",
            description: """
                Experiment met een op afstand bestuurde robot met sonar en camera bij de kademuren van het \
                Amsterdam-Rijnkanaal, samen met een start-up uit een innovatiepartnerschap.
                """,
            contact: "Lisa Hendriks, RWS Innovatie (innovatie@rws.example)",
            themes: ["robotica"],
            phases: [.idea, .experiment]),
        Initiative(
            key: "rws-wegdek", owner: "rws",
            title: "Schade aan het wegdek herkennen met camera's op inspectievoertuigen",
            summary: "Beelden van gewone dienstritten worden automatisch op gaten en scheuren beoordeeld.",
            description: """
                Een model beoordeelt de beelden die inspectievoertuigen toch al maken. Weginspecteurs krijgen een \
                lijst met plekken om te bekijken in plaats van alles zelf te rijden.
                """,
            contact: "Pieter van Dijk, RWS Assetmanagement (drones@rws.example)",
            themes: ["ai", "data"],
            phases: [.experiment, .pilot, .proven],
            progress: [
                Progress(date: "2025-08-15", text: "1.200 km snelweg beoordeeld; vergeleken met handmatige schouw.",
                         metrics: [Metric(name: "beoordeeld wegdek", value: 1_200, unit: "km"),
                                   Metric(name: "precisie", value: 0.91, unit: "fractie")]),
            ]),
        Initiative(
            key: "rws-emissieloos", owner: "rws",
            title: "Innovatiepartnerschap voor emissieloos bouwmaterieel",
            summary: "Aannemers ontwikkelen samen met RWS emissieloze graafmachines en walsen, met afnamegarantie bij succes.",
            description: """
                In plaats van een bestek met een vastgelegde oplossing vraagt RWS de markt om emissieloos materieel \
                te ontwikkelen voor wegwerkzaamheden. Bij succes volgt afname; een mislukte fase is een leermoment, \
                geen schande.
                """,
            contact: "Marieke Bos, RWS Inkoop (inkoop-innovatie@rws.example)",
            themes: ["inkoop", "duurzaamheid"],
            links: [webinarProcurement],
            phases: [.idea, .experiment, .pilot],
            progress: [
                Progress(date: "2025-09-01", text: "Drie consortia door naar de ontwikkelfase.",
                         metrics: [Metric(name: "consortia", value: 3, unit: "consortia")]),
            ]),
        Initiative(
            key: "rws-digitale-tweeling", owner: "rws",
            title: "Digitale tweeling van het hoofdvaarwegennet",
            summary: "Eén actueel model van vaarwegen, sluizen en verkeer voor planning en voor de logistieke sector.",
            description: """
                Idee: meetgegevens van waterstanden, sluizen en scheepvaart samenbrengen in een digitale tweeling, \
                zodat onderhoud en scheepvaart beter op elkaar worden afgestemd.
                """,
            contact: "Lisa Hendriks, RWS Innovatie (innovatie@rws.example)",
            themes: ["data"],
            phases: [.idea]),
    ]

    /// Endorsements by the regie, after the agencies' initiatives have
    /// reached it.
    static let endorsements = [
        Endorsement(key: "uwv-mpc-samenloop", note: "Rijksbreed interessant: MPC is een van de thema's voor gezamenlijke opschaling."),
        Endorsement(key: "rws-drones", note: "Goed voorbeeld van opschalen na een bewezen pilot."),
    ]

    /// The regie's portfolio: two programme labels, with what it marks high
    /// priority.
    static let annotations = [
        Annotation(key: "uwv-mpc-samenloop", label: "werkagenda-2027", priority: .high,
                   note: "Kandidaat voor rijksbrede opschaling van MPC."),
        Annotation(key: "svb-mpc-inkoop", label: "werkagenda-2027", priority: .normal, note: ""),
        Annotation(key: "rws-drones", label: "werkagenda-2027", priority: .high, note: "Opschalen naar alle regio's."),
        Annotation(key: "uwv-brieven-ai", label: "verantwoorde-ai", priority: .high, note: "Eerst het AI-kader toetsen."),
        Annotation(key: "svb-brieven-ai", label: "verantwoorde-ai", priority: .normal, note: ""),
        Annotation(key: "rws-digitale-tweeling", label: "data-infrastructuur", priority: .low, note: "Volgen; nog vroeg."),
    ]

    /// The showcase: SVB takes UWV's proven MPC approach as its starting point.
    static let adoption = Adoption(
        adopter: "svb", key: "uwv-mpc-samenloop", status: .piloting,
        note: "SVB zet de MPC-aanpak in voor samenloop van AOW en bijstand; pilot met twee gemeenten.")
}
