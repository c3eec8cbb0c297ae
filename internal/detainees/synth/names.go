package synth

// The name tables: each line is "weight|Arabic|Latin spelling:weight,...".
// The weights of names follow how common they are among Syrian men and
// women (Mohammed far ahead); the weights of spellings follow how often each
// Latin form appears in lists and passports (English, French and
// transliteration-standard forms side by side). They are the generator's
// own: the matcher never sees them.

var maleNames = `30|محمد|Mohammed:30,Mohammad:25,Muhammad:15,Mohamad:20,Mohamed:15
10|أحمد|Ahmad:50,Ahmed:40
6|علي|Ali:90,Aly:5
6|حسن|Hassan:70,Hasan:30
5|حسين|Hussein:50,Hussain:20,Husain:10,Houssein:10,Husayn:5
5|محمود|Mahmoud:70,Mahmud:15,Mahmood:15
5|خالد|Khaled:60,Khalid:40
4|عمر|Omar:80,Umar:15,Omer:5
4|مصطفى|Mustafa:50,Moustafa:25,Mostafa:25
4|إبراهيم|Ibrahim:80,Ebrahim:15,Ibraheem:5
4|عبد الله|Abdullah:50,Abdallah:30,Abd Allah:10,Abdalla:10
4|عبد الرحمن|Abdulrahman:40,Abdul Rahman:20,Abd al-Rahman:15,Abdelrahman:15,Abdurrahman:10
3|يوسف|Youssef:40,Yousef:30,Yusuf:20,Yousif:10
3|سعيد|Said:40,Saeed:40,Saed:20
3|عبد القادر|Abdulkader:40,Abdel Kader:20,Abd al-Qadir:20,Abdelkader:20
3|عبد العزيز|Abdulaziz:50,Abdelaziz:30,Abd al-Aziz:20
3|ياسر|Yasser:60,Yaser:30,Yasir:10
3|سامر|Samer:100
3|سمير|Samir:70,Sameer:30
3|عماد|Imad:60,Emad:40
3|فادي|Fadi:90,Fady:10
3|رامي|Rami:90,Ramy:10
3|وائل|Wael:80,Wa'el:20
3|زياد|Ziad:60,Ziyad:30,Zyad:10
3|باسل|Basel:60,Bassel:30,Basil:10
3|مازن|Mazen:80,Mazin:20
3|أيمن|Ayman:80,Aiman:10,Eyman:10
3|عمار|Ammar:90,Amar:10
3|عامر|Amer:70,Aamer:30
2|طارق|Tarek:50,Tariq:30,Tareq:20
2|جمال|Jamal:90,Jamel:10
2|كمال|Kamal:80,Kamel:20
2|نور الدين|Nour al-Din:30,Noureddine:30,Nour Eddin:20,Nureddin:20
2|أبو بكر|Abu Bakr:60,Abubakr:20,Abou Bakr:20
2|إسماعيل|Ismail:70,Ismael:20,Esmail:10
2|عثمان|Othman:50,Osman:30,Uthman:20
2|موسى|Moussa:50,Musa:30,Mousa:20
2|عيسى|Issa:70,Eisa:30
2|يحيى|Yahya:80,Yehia:20
2|صالح|Saleh:70,Salih:30
2|سليمان|Suleiman:50,Sulaiman:30,Soliman:20
2|منصور|Mansour:70,Mansur:30
2|ناصر|Nasser:70,Naser:30
2|نبيل|Nabil:70,Nabeel:30
2|جميل|Jamil:60,Jameel:40
2|رياض|Riad:50,Riyad:40,Reyad:10
2|فراس|Firas:80,Feras:20
2|ماهر|Maher:90,Mahir:10
2|هاني|Hani:90,Hany:10
2|حمزة|Hamza:80,Hamzah:20
2|بلال|Bilal:80,Belal:20
2|أنس|Anas:100
2|أسامة|Osama:50,Oussama:20,Usama:30
2|معاذ|Muaz:40,Moaz:40,Mouaz:20
2|حازم|Hazem:80,Hazim:20
2|غسان|Ghassan:100
2|عدنان|Adnan:100
2|فؤاد|Fouad:60,Fuad:40
2|جهاد|Jihad:80,Jehad:20
2|رضوان|Radwan:70,Redwan:30
2|شادي|Shadi:70,Chadi:30
2|نزار|Nizar:80,Nezar:20
2|وليد|Walid:70,Waleed:30
2|حسام|Hussam:60,Houssam:30,Husam:10
2|أنور|Anwar:80,Anouar:20
1|قاسم|Qasim:40,Kassem:40,Qassem:20
1|حامد|Hamed:60,Hamid:40
1|حمد|Hamad:100
1|عصام|Issam:70,Essam:30
1|هشام|Hisham:70,Hesham:30
1|عبد الكريم|Abdulkarim:50,Abdel Karim:30,Abd al-Karim:20
1|عبد السلام|Abdulsalam:50,Abdessalam:20,Abd al-Salam:30
1|مروان|Marwan:100
1|رائد|Raed:80,Raid:20
1|ثائر|Thaer:70,Thair:30
1|مهند|Muhannad:60,Mohannad:40
1|عبد الحميد|Abdulhamid:50,Abdel Hamid:30,Abd al-Hamid:20
1|إياد|Iyad:50,Eyad:40,Ayad:10
1|نضال|Nidal:80,Nedal:20
1|مأمون|Mamoun:60,Maamoun:40
1|سلمان|Salman:100
1|بشار|Bashar:90,Bachar:10
1|لؤي|Louay:60,Luay:40
1|كريم|Karim:60,Kareem:40
1|مجد|Majd:100
1|عبد الباسط|Abdulbasit:60,Abdel Basset:40
1|حيدر|Haidar:60,Hayder:40
1|جعفر|Jaafar:60,Jafar:40
1|شريف|Sherif:50,Sharif:50`

var femaleNames = `20|فاطمة|Fatima:50,Fatma:30,Fatmeh:20
12|مريم|Mariam:50,Maryam:40,Mariem:10
10|خديجة|Khadija:60,Khadijeh:40
10|عائشة|Aisha:50,Aysha:20,Aicha:30
8|زينب|Zainab:60,Zeinab:40
8|نور|Nour:80,Noor:20
6|هدى|Huda:50,Hoda:50
6|سعاد|Souad:60,Suad:40
6|آمنة|Amina:60,Ameneh:20,Aminah:20
6|سميرة|Samira:80,Sameera:20
5|رنا|Rana:100
5|هند|Hind:100
5|ليلى|Layla:40,Leila:40,Laila:20
5|سلمى|Salma:100
5|وفاء|Wafaa:60,Wafa:40
4|إيمان|Iman:60,Eman:40
4|حنان|Hanan:100
4|رغد|Raghad:100
4|منى|Mona:60,Muna:40
4|نجاح|Najah:100
4|سهام|Siham:70,Seham:30
3|ريم|Reem:60,Rim:40
3|غادة|Ghada:100
3|ياسمين|Yasmin:60,Yasmine:40
3|لينا|Lina:100
3|دعاء|Duaa:50,Doaa:50
3|رقية|Ruqaya:50,Roukaya:50
3|صفاء|Safaa:60,Safa:40
3|جميلة|Jamila:70,Jameela:30
3|نادية|Nadia:70,Nadiya:30`

// familyNames are written out; more are formed from male given names
// (الأحمد, Al-Ahmad), as many Syrian family names are.
var familyNames = `4|الحلبي|Halabi:60,Al-Halabi:40
3|الشامي|Shami:50,Al-Shami:30,Ash-Shami:20
3|الحمصي|Homsi:70,Al-Homsi:30
3|الحموي|Hamwi:60,Hamawi:40
2|الإدلبي|Idlibi:60,Edlebi:40
4|الكردي|Kurdi:60,Al-Kurdi:40
3|المصري|Masri:60,Al-Masri:30,Misri:10
3|الخطيب|Khatib:50,Al-Khatib:30,Al-Khateeb:20
3|النجار|Najjar:60,Al-Najjar:30,Najar:10
3|الحداد|Haddad:70,Al-Haddad:30
2|الطحان|Tahhan:60,Al-Tahan:40
2|العطار|Attar:60,Al-Attar:40
2|الحلاق|Hallak:50,Al-Hallaq:50
2|الصباغ|Sabbagh:60,Al-Sabbagh:40
3|الشيخ|Sheikh:40,Al-Sheikh:30,Cheikh:30
3|الحاج|Hajj:40,Al-Hajj:40,El Hajj:20
2|قباني|Kabbani:60,Qabbani:40
1|الأتاسي|Atassi:60,Al-Atassi:40
2|الجابري|Jabri:50,Al-Jabiri:50
2|الكيالي|Kayali:60,Kayyali:40
1|مردم|Mardam:100
2|البيطار|Bitar:60,Al-Bitar:40
2|الدروبي|Droubi:70,Al-Droubi:30
3|الزعبي|Zoubi:40,Al-Zoubi:30,Zuabi:30
2|المقداد|Mikdad:40,Al-Meqdad:30,Miqdad:30
3|الحريري|Hariri:60,Al-Hariri:40
2|الرفاعي|Rifai:50,Al-Rifai:30,Refai:20
2|الأسعد|Asaad:50,Al-Asaad:50
3|السيد|Sayed:40,Al-Sayed:30,El-Sayed:30
2|الشهابي|Shihabi:60,Al-Shehabi:40
2|الحسيني|Husseini:60,Al-Husseini:40
3|الحمود|Hammoud:60,Al-Hamoud:40
2|الخليل|Khalil:50,Al-Khalil:50
2|الطويل|Tawil:60,Al-Taweel:40
2|عبود|Abboud:70,Aboud:30
2|ديب|Dib:60,Deeb:40
2|سلوم|Salloum:70,Saloum:30
2|نصر|Nasr:100
2|حمدان|Hamdan:100
2|شحادة|Shehadeh:50,Shahada:30,Chehade:20
1|كنعان|Kanaan:60,Kanan:40
2|حبيب|Habib:70,Habeeb:30
2|درويش|Darwish:70,Darweesh:30
2|زيدان|Zaidan:60,Zeidan:40
2|خضر|Khodr:50,Khader:30,Khudr:20
1|بكور|Bakkour:60,Bakour:40
1|قدور|Kaddour:60,Qaddour:40
2|شعبان|Shaaban:60,Chaaban:40
2|رمضان|Ramadan:70,Ramadhan:30
2|الجاسم|Al-Jassem:60,Jasim:40
1|أبو زيد|Abu Zeid:60,Abouzeid:40
1|الحسون|Al-Hassoun:60,Hassoun:40
1|العبيد|Al-Obeid:60,Obeid:40
1|الدالاتي|Dalati:70,Al-Dalati:30
1|العاني|Al-Ani:60,Ani:40
1|الساعور|Al-Saour:60,Saour:40
1|المحاميد|Al-Mahameed:60,Mahamid:40
1|الرشيد|Al-Rashid:60,Rasheed:40
1|الظاهر|Al-Zaher:60,Daher:40
1|الفارس|Al-Fares:60,Fares:40`

// places are Syrian birth places with their spellings.
var places = `10|حلب|Aleppo:60,Halab:30,Alep:10
10|دمشق|Damascus:70,Dimashq:20,Damas:10
8|حمص|Homs:90,Hims:10
6|حماة|Hama:70,Hamah:30
4|اللاذقية|Latakia:60,Lattakia:30,Al-Ladhiqiyah:10
5|إدلب|Idlib:70,Edlib:30
4|دير الزور|Deir ez-Zor:50,Deir al-Zour:30,Dayr az-Zawr:20
3|الرقة|Raqqa:60,Ar-Raqqah:40
5|درعا|Daraa:60,Deraa:20,Dar'a:20
3|طرطوس|Tartus:60,Tartous:40
3|الحسكة|Hasakah:50,Al-Hasakah:30,Hassakeh:20
2|القامشلي|Qamishli:60,Al-Qamishli:20,Kamishli:20
4|دوما|Douma:70,Duma:30
3|داريا|Daraya:60,Darayya:40
2|السويداء|Suwayda:50,As-Suwayda:30,Sweida:20
1|القنيطرة|Quneitra:70,Al-Qunaytirah:30
2|منبج|Manbij:80,Menbij:20
2|الباب|Al-Bab:70,Bab:30
2|عفرين|Afrin:80,Efrin:20
1|جبلة|Jableh:60,Jabla:40
1|بانياس|Baniyas:60,Banias:40
1|الزبداني|Zabadani:60,Al-Zabadani:40
1|يبرود|Yabroud:60,Yabrud:40
1|سلمية|Salamiyah:50,Salamieh:50
1|تدمر|Palmyra:60,Tadmur:40
2|معرة النعمان|Maarat al-Numan:50,Maarrat an-Numan:50
2|جسر الشغور|Jisr al-Shughur:60,Jisr ash-Shughur:40`
