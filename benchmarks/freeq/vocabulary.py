"""The word lists of the free-questions benchmark's synthetic store: the slots of its fact
templates (genres, networks, cities, jobs, events...), and, for absent-subject questions,
real-looking names and titles the generator never uses. Names of people, and the adjectives
and nouns of titles, come from benchmarks/lookup.py's lists."""

GENRES = """crime drama|legal drama|medical drama|period drama|fantasy epic|science fiction
series|horror anthology|psychological thriller|western|superhero series|workplace comedy|
political drama|spy thriller|murder mystery|teen drama|family saga""".replace("\n", "").split("|")
NETWORKS = """Netflix|HBO|Hulu|AMC|the BBC|Channel 4|FX|Showtime|Starz|Prime Video|Apple TV+|
Peacock|ITV|Sky Atlantic|Paramount+|Disney+|CBS|NBC|Canal+|ZDF""".replace("\n", "").split("|")
CITIES = """Boston|Chicago|Vancouver|Belfast|Glasgow|Prague|Budapest|Atlanta|Toronto|Cape Town|
Seville|Reykjavik|New Orleans|Baltimore|Dublin|Manchester|Berlin|Marseille|Lisbon|Montreal|
Albuquerque|Detroit|Naples|Oslo|Sydney|Wellington|Mumbai|Seoul|Tokyo|Mexico City|Cardiff|
Pittsburgh|Savannah|Calgary|Gdansk|Tbilisi|Malta|Belgrade|Bristol|Hamburg""".replace(
    "\n", ""
).split("|")
OCCUPATIONS = """detective|surgeon|journalist|smuggler|hacker|defence lawyer|priest|nurse|mayor|
bartender|forensic scientist|police captain|con artist|getaway driver|school teacher|hitman|
senator|paramedic|pilot|art thief|private investigator|chef|union boss|archaeologist|
bounty hunter|prison guard|sommelier|locksmith|nun|weather girl|midwife|stuntman""".replace(
    "\n", ""
).split("|")
EVENTS = """harbor fire|bank heist|election|murder trial|warehouse explosion|wedding|blackout|
prison riot|car crash|kidnapping|hurricane|funeral|train derailment|market crash|
hostage crisis|mine collapse|masquerade ball|plane crash|border shootout|flood|
charity gala|jailbreak|poisoning|chemical spill|earthquake|custody hearing""".replace(
    "\n", ""
).split("|")
ROLES = "villain|love interest|antagonist|mentor|lead|big bad|narrator|rival|sidekick".split("|")
RELATIONS = """sister|estranged father|mentor|former partner|half-brother|bodyguard|ex-wife|twin|
godmother|childhood friend|handler|landlord|stepmother|cousin|fiancee""".replace("\n", "").split(
    "|"
)
OBJECTS = """ledger|formula|diamond|map|hard drive|letters|painting|vaccine|manuscript|key card|
necklace|codebook|serum|relic|passport|recording""".replace("\n", "").split("|")
PLACES = """the museum|the embassy|the vault|the lab|the cathedral|the casino|the lighthouse|
the archive|the precinct|the hospital|the observatory|the refinery""".replace("\n", "").split("|")
PROJECTS = """research|mayoral campaign|clinic|private militia|newspaper|orphanage|expedition|
gang war|rehab centre|startup|vigilante crusade|racing team|homeless shelter|dig site""".replace(
    "\n", ""
).split("|")
ORG_KINDS = """cartel|intelligence agency|biotech company|cult|law firm|shipping company|
mercenary outfit|tech giant|crime family|secret society|hedge fund|militia|mining company|
tabloid""".replace("\n", "").split("|")
ORG_ADJ = "secretive|corrupt|powerful|underground|ruthless|shadowy|respected|failing".split("|")
ACTIVITIES = """smuggles weapons through the docks|runs illegal experiments on prisoners|
controls the city council|launders money for the mob|hunts people with powers|
buys up the waterfront|trains child soldiers|bribes the police|hides a deadly virus|
covers up a factory disaster|spies on journalists|rigs the lottery""".replace("\n", "").split("|")
AWARDS = """an Emmy|a BAFTA|a Golden Globe|a Peabody award|a Critics' Choice award|
a SAG award""".replace("\n", "").split("|")
AWARD_FOR = (
    "best drama series|best limited series|best writing|best ensemble|best new series".split("|")
)
REASONS = """the writers' strike|reshoots|budget cuts|an injury to its lead|a change of showrunner|
the pandemic|a rewrite of the scripts|a lawsuit over the rights""".replace("\n", "").split("|")
CAREER = "a film career|a stage play|family|a new series|directing|a music career".split("|")
PUBLISHERS = """Variety|Deadline|The Hollywood Reporter|TVLine|Vulture|Collider|
Entertainment Weekly|IndieWire|Screen Rant|The Guardian|Radio Times|Empire""".replace(
    "\n", ""
).split("|")
MONTHS = """January February March April May June July August September October November
December""".split()
ORDINALS = ["second", "third", "fourth", "fifth", "sixth"]

# Names for absent-subject questions: real-looking words the generator never uses
# (anything within 2 edits of a store word is dropped at run time).
ABSENT_FIRST = """Thaddeus Ignatius Percival Bartholomew Ezekiel Cornelius Barnaby Leopold Mortimer
Octavia Philippa Wilhelmina Gwendolyn Clementine Ophelia Persephone Horatio Archibald Ebenezer
Lysander Cassius Evander Florian Quentin Rupert Humphrey Reginald Winifred Mildred Gertrude
Beatrix Imogen Lavinia Rosalind Seraphina Theodora Ulysses Wolfgang Yolanda Zebedee Algernon
Bertrand Cuthbert Desmond Eustace Ferdinand Gideon Hortense Isadora Jemima Lucinda Marmaduke
Norbert Orson Prudence Rowena Sylvester Tabitha Ursula Vernon Wilfred""".split()
ABSENT_LAST = """Blackwood Thornbury Ravensworth Featherstone Whitlock Pemberton Ashcombe
Fairweather Gainsborough Hollingsworth Kensington Lockwood Montgomery Nightingale Pennington
Quartermaine Sherwood Templeton Underhill Vanderbilt Wetherby Yardley Abernathy Bickerstaff
Cholmondeley Dunwoody Entwistle Fotheringham Grimshaw Hargreaves Inglethorpe Jellicoe Knatchbull
Loxley Merriweather Nethercott Ormsby Postlethwaite Quickfall Rutherford Snodgrass Tolliver
Umfreville Vavasour Winterbottom""".split()
ABSENT_TITLES = """Severance|Succession|Yellowstone|Ozark|Fleabag|Mindhunter|Westworld|Chernobyl|
Euphoria|Shogun|Peaky Blinders|Downton Abbey|Boardwalk Empire|Breaking Bad|The Sopranos|
Battlestar Galactica|Twin Peaks|Mad Men|Schitt's Creek|Better Call Saul|The Expanse|Outlander|
Broadchurch|Luther|Sherlock|Doctor Who|Killing Eve|Bridgerton|Wednesday|Andor|Arcane|
The Wire|Dexter|Fargo|Hannibal|Barry|Veep|Atlanta Noir|Ted Lasso""".replace("\n", "").split("|")
