"""The lookup benchmark's word lists: first and last names of many languages, nicknames,
the adjectives and nouns of titles, organisations' words and the syllables of made-up names
(``_synthetic``), so that the vocabulary grows with the store."""

from __future__ import annotations

import random

FIRST = """
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony
Betty Mark Margaret Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna
Kenneth Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald Stephanie
Jason Rebecca Edward Laura Jeffrey Helen Ryan Sharon Jacob Cynthia Gary Kathleen Nicholas
Amy Eric Shirley Jonathan Angela Stephen Anna Larry Ruth Justin Brenda Scott Pamela
Brandon Nicole Benjamin Katherine Samuel Virginia Frank Catherine Gregory Christine
Raymond Samantha Patrick Debra Jack Janet Dennis Rachel Jerry Carolyn Tyler Emma Aaron
Maria Heather José Diane Adam Julie Henry Joyce Nathan Victoria Douglas Kelly Zachary
Christina Peter Joan Kyle Evelyn Walter Lauren Ethan Judith Jeremy Olivia Harold Megan
Keith Cheryl Christian Martha Roger Andrea Noah Frances Gerald Hannah Carl Jacqueline
Terry Ann Sean Gloria Austin Jean Arthur Kathryn Lawrence Alice Jesse Teresa Dylan Sara
Bryan Janice Joe Doris Jordan Madison Billy Julia Bruce Grace Albert Judy Willie Abigail
Gabe Zoë Chloé Léa Hélène François Jérôme Amélie Noémie Benoît Søren Bjørn Åsa Björn
Jürgen Günter Jörg Müller Łukasz Małgorzata Wojciech Agnieszka Krzysztof Paweł Zofia
Dmitri Olga Sergei Natalia Ivan Anastasia Yuri Svetlana Mikhail Ekaterina Alexei Irina
Hiroshi Yuki Takeshi Sakura Kenji Aiko Haruto Yui Sora Ren Wei Mei Jun Xiu Li Ming
Hyun Ji-woo Min-jun Seo-yeon Ahmed Fatima Omar Layla Youssef Amira Khalid Nour Hassan
Priya Arjun Ananya Rohan Aditya Kavya Vikram Deepika Raj Sanjay Giulia Matteo Sofia
Alessandro Francesca Lorenzo Chiara João Inês Tiago Beatriz Rafael Lucía Alejandro
Valentina Mateo Camila Santiago Ximena Diego Ayşe Mehmet Elif Emre Zeynep Nikos Eleni
Yiannis Sven Ingrid Lars Astrid Nils Freya Oskar Sigrid Aoife Siobhan Niamh Ciarán Seán
Kwame Amara Chidi Ngozi Tendai Thabo Zanele Kofi Akosua Trish Patsy Jeri Luke Danny
Matt Foggy Karen Malcolm Claire Misty Colleen Ward Joy Harold Dorothy Oscar Vido
""".split()

LAST = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Gómez Phillips Evans Turner Díaz Parker Cruz Edwards Collins Reyes Stewart Morris
Morales Murphy Cook Rogers Gutiérrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly
Howard Ramos Kim Cox Ward Richardson Watson Brooks Chávez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jiménez
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann
Dubois Lefèvre Moreau Laurent Simon Michel Lefebvre Leroy Roux David Bertrand Morel
Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Blanc Guérin Muller
Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski
Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov
Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev
Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida
Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo
Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo
Conti Costa Giordano Mancini Rizzo Lombardi Moretti Silva Santos Oliveira Souza Pereira
Ferreira Alves Lima Carvalho Ribeiro Almeida Yılmaz Kaya Demir Şahin Çelik Yıldız
Öztürk Aydın Papadopoulos Georgiou Nikolaidis Andersson Johansson Karlsson Nilsson
Eriksson Larsson Olsen Hansen Jensen Nielsen Pedersen Kristensen Virtanen Korhonen
O'Brien O'Connor O'Neill McCarthy MacDonald Fitzgerald Ó'Súilleabháin Okafor Mensah
Adeyemi Okonkwo Mbeki Dlamini Nkosi Khumalo Haddad Khoury Mansour Saleh Hakimi Sharma
Gupta Singh Kumar Reddy Iyer Banerjee Chatterjee Desai Mehta Joshi Rosenberg Hogarth
Cage Rand Murdock Nelson Page Castle Ducasse Knight Wing Meachum Trish Gao Bakuto
""".split()

NICK = """
Hellcat Nuke Daredevil Punisher Kingpin Elektra Bullseye Stick Diamondback Cottonmouth
Mariah Shades Tombstone Bushmaster Typhoid Gunslinger Nightshade Silhouette Blacksmith
Ironfist Nightwing Redhood Shadowcat Firestar Iceman Starling Ravager Wraith Specter
Nomad Raven Sparrow Falcon Hawkeye Mockingbird Viper Cobra Scorpion Mantis Hornet
Phantom Reaper Banshee Siren Oracle Prophet Wanderer Drifter Ranger Warden Sentinel
Jigsaw Rampage Whiplash Crossbones Taskmaster Madame Doctor Professor Captain Major
""".split()

ADJ = """
Dark Lost Silent Broken Hidden Last Golden Crimson Wild Frozen Burning Fallen Secret
Endless Bright Hollow Savage Quiet Distant Wicked Lonely Sacred Twisted Electric Iron
Silver Scarlet Midnight Northern Southern Eastern Western Little Big Young Old Strange
Perfect Sweet Bitter Cold Hot Royal Blind Hungry Gentle Brave Happy Sad Crazy Lucky
Dead Living Final Forgotten Infinite Ancient Modern Sleeping Rising Falling Running
""".split()

NOUN = """
Kingdom Empire Throne Crown Sword Shadow Night Day River Mountain Ocean Forest City
Street House Family Brothers Sisters Daughters Sons Hearts Minds Bones Blood Fire Ice
Storm Wind Rain Sun Moon Star Stars Sky Road Bridge Tower Castle Garden Island Valley
Desert Harbor Station Hospital School College Office Precinct Squad Unit Agency Bureau
Detective Doctor Lawyer Nurse Teacher Witness Stranger Neighbor Killer Hunter Runner
Wolf Wolves Lion Dragon Crow Raven Snake Tiger Bear Fox Hound Horse Shark Spider Ghost
Witch Wizard Vampire Angel Demon Saint Sinner King Queen Prince Princess Knight Soldier
Spy Thief Pirate Outlaw Sheriff Ranger Marshal Judge Jury Code Game Games Dream Dreams
Secret Secrets Lies Truth Promise Mirror Window Door Key Clock Hour Minute Season Chapter
Affair Mystery Legacy Dynasty Academy Chronicles Files Diaries Tales Stories Legends
""".split()

ORG = """
Corporation Industries Enterprises Group Holdings Institute Foundation Society Council
Agency Bureau Company Partners Associates Labs Syndicate Brotherhood Order Guild League
Alliance Union Academy Clinic Firm Collective Network Studios Records Bank Trust
""".split()

SYLL = """
ka ro vel dran mi sha to ren lo vi an es tor bel cor dan fa gri hal im jo kel lum mar
nor ol pra quin ras sil tam ul var wen xan yor zel bri cla dro fen gal hin ist jar kor
len mor nal ost pel rin sor tul urs vor wyn zar ab ec id ob ut ai ei ou ia eo
""".split()


def _synthetic(rng: random.Random, lo: int = 2, hi: int = 4) -> str:
    """A made-up name of lo..hi syllables, mostly two: ~7 letters, like real surnames."""
    n = min(hi, max(lo, rng.choices((2, 3, 4), (60, 33, 7))[0]))
    return "".join(rng.choice(SYLL) for _ in range(n)).capitalize()
