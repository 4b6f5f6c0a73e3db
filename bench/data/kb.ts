/**
 * A labelled knowledge base for the AI Bot's retrieval: Modista, a Romanian online fashion shop
 * with a showroom in Bucharest. Q&A entries in Romanian and English (plus two bilingual ones),
 * five documents, customer questions phrased as customers write them (paraphrases, with and
 * without diacritics, informal, a few typos) labelled with the entry that answers them, questions
 * the knowledge base cannot answer (labelled null), and a deterministic 1,000-entry knowledge base
 * (these entries plus filler product questions) for the latency benchmark.
 */
import type { KbDoc } from '../../server/src/bots/retrieval.ts'

function qa(id: string, language: KbDoc['language'], title: string, body: string): KbDoc {
  return {
    id,
    kind: 'qa',
    title,
    body,
    language,
  }
}

function doc(id: string, language: KbDoc['language'], title: string, paragraphs: string[]): KbDoc {
  return {
    id,
    kind: 'document',
    title,
    body: paragraphs.join('\n\n'),
    language,
  }
}

export const KB_ENTRIES: KbDoc[] = [
  // Delivery
  qa('ro-delivery-time', 'ro', 'Cât durează livrarea?', 'Livrarea în România durează 1–3 zile lucrătoare de la expedierea comenzii. Comenzile plasate până la ora 14:00 într-o zi lucrătoare pleacă din depozit în aceeași zi.'),
  qa('en-delivery-time', 'en', 'How long does delivery take?', 'Delivery within Romania takes 1–3 working days from dispatch. Orders placed by 2 pm on a working day leave our warehouse the same day.'),
  qa('ro-delivery-cost', 'ro', 'Cât costă transportul?', 'Livrarea prin curier costă 19,99 lei, iar în easybox 14,99 lei. Pentru comenzile de peste 250 lei transportul este gratuit.'),
  qa('en-delivery-cost', 'en', 'How much does shipping cost?', 'Courier delivery costs 19.99 lei and easybox delivery 14.99 lei. Shipping is free for orders over 250 lei.'),
  qa('ro-easybox', 'ro', 'Pot primi coletul într-un easybox?', 'Da. La finalizarea comenzii alege „Livrare în easybox” și selectează lockerul de pe hartă. Primești prin SMS codul de deschidere, iar coletul te așteaptă 48 de ore.'),
  qa('en-easybox', 'en', 'Can my order be delivered to a parcel locker?', 'Yes. At checkout choose “easybox delivery” and pick a locker on the map. You get the opening code by SMS and the parcel waits for you for 48 hours.'),
  qa('ro-international', 'ro', 'Livrați și în afara României?', 'Livrăm în toate țările Uniunii Europene și în Republica Moldova, în 5–10 zile lucrătoare. Costul transportului internațional pornește de la 49 lei și se calculează în coș, în funcție de țară.'),
  qa('en-international', 'en', 'Do you ship outside Romania?', 'We ship to every country of the European Union and to the Republic of Moldova, in 5–10 working days. International shipping starts at 49 lei and is calculated in the basket for your country.'),
  qa('ro-saturday', 'ro', 'Livrați și sâmbăta?', 'Da, în București, Cluj-Napoca și Iași putem livra sâmbăta, între 9:00 și 14:00, cu o taxă suplimentară de 9,99 lei. Opțiunea apare la finalizarea comenzii dacă adresa ta se află într-unul dintre aceste orașe.'),
  qa('ro-change-address', 'ro', 'Pot modifica adresa de livrare după ce am trimis comanda?', 'Da, cât timp comanda nu a fost predată curierului. Scrie-ne pe WhatsApp sau la contact@modista.ro numărul comenzii și noua adresă. După expediere, adresa se poate schimba doar din aplicația curierului, pe baza AWB-ului.'),
  qa('en-change-address', 'en', 'Can I change the delivery address after placing my order?', 'Yes, as long as the order has not been handed to the courier. Send us the order number and the new address on WhatsApp or at contact@modista.ro. After dispatch the address can only be changed in the courier’s app, using the AWB.'),
  qa('ro-pickup', 'ro', 'Pot ridica comanda personal din showroom?', 'Da, alege „Ridicare din showroom” la finalizarea comenzii. Ridicarea este gratuită; te anunțăm prin SMS când comanda este pregătită (de obicei în 24 de ore) și o păstrăm 7 zile.'),
  qa('en-pickup', 'en', 'Can I collect my order in person from the showroom?', 'Yes, choose “Showroom pickup” at checkout. Pickup is free; we text you when the order is ready (usually within 24 hours) and keep it for 7 days.'),

  // Returns
  qa('ro-return-how', 'ro', 'Cum returnez un produs?', 'Intră în cont, la „Comenzile mele”, alege comanda și apasă „Returnează produse”. Poți preda coletul curierului, care vine să-l ridice de la adresa ta, sau îl poți lăsa într-un easybox. Pune în colet produsele nepurtate, cu etichetele atașate.'),
  qa('en-return-how', 'en', 'How do I return a product?', 'Go to “My orders” in your account, pick the order and press “Return items”. A courier can collect the parcel from your address, or you can drop it in an easybox. Pack the items unworn, with their labels attached.'),
  qa('ro-return-period', 'ro', 'În câte zile pot returna produsele?', 'Ai la dispoziție 30 de zile de la primirea coletului pentru a returna produsele, fără să ne spui motivul.'),
  qa('en-return-period', 'en', 'How many days do I have to return items?', 'You have 30 days from receiving your parcel to return products, without giving us a reason.'),
  qa('ro-return-cost', 'ro', 'Returul este gratuit?', 'Primul retur dintr-o comandă este gratuit prin curier sau easybox. Pentru un al doilea retur din aceeași comandă, costul de 15 lei se scade din suma rambursată.'),
  qa('en-return-cost', 'en', 'Are returns free?', 'The first return from an order is free by courier or easybox. A second return from the same order costs 15 lei, deducted from the refund.'),
  qa('ro-refund', 'ro', 'Când îmi primesc banii înapoi după retur?', 'Rambursăm banii în cel mult 14 zile de la primirea returului în depozit. Dacă ai plătit cu cardul, banii revin pe același card; dacă ai plătit ramburs, îi trimitem în contul bancar (IBAN) indicat în formularul de retur.'),
  qa('en-refund', 'en', 'When will I get my refund?', 'We refund you within 14 days of the return reaching our warehouse. Card payments are refunded to the same card; cash-on-delivery payments go to the bank account (IBAN) you give in the return form.'),
  qa('ro-exchange', 'ro', 'Pot schimba un produs cu altă mărime?', 'Da, schimbul de mărime este gratuit o dată pe comandă. În formularul de retur alege „Schimb” și mărimea dorită; trimitem produsul nou după ce primim produsul returnat, dacă este în stoc.'),
  qa('en-exchange', 'en', 'Can I exchange an item for another size?', 'Yes, a size exchange is free once per order. In the return form choose “Exchange” and the size you want; we send the new item when the returned one reaches us, if it is in stock.'),
  qa('ro-non-returnable', 'ro', 'Ce produse nu se pot returna?', 'Din motive de igienă nu acceptăm la retur lenjeria intimă, costumele de baie desigilate și cerceii. Nici produsele personalizate (cu broderie sau inițiale) nu pot fi returnate.'),
  qa('en-non-returnable', 'en', 'Which products cannot be returned?', 'For hygiene reasons we do not take back underwear, unsealed swimwear or earrings. Personalised products (embroidered or with initials) cannot be returned either.'),

  // Payment
  qa('ro-payment-methods', 'ro', 'Ce metode de plată acceptați?', 'Poți plăti online cu cardul (Visa, Mastercard), cu Apple Pay sau Google Pay, ramburs la curier, prin transfer bancar (ordin de plată) sau cu un card cadou Modista.'),
  qa('en-payment-methods', 'en', 'Which payment methods do you accept?', 'You can pay online by card (Visa, Mastercard), with Apple Pay or Google Pay, cash on delivery, by bank transfer or with a Modista gift card.'),
  qa('ro-cod', 'ro', 'Pot plăti ramburs?', 'Da, poți plăti numerar sau cu cardul la curier când primești coletul. Plata ramburs are un cost suplimentar de 5 lei și nu este disponibilă pentru livrarea în easybox.'),
  qa('en-cod', 'en', 'Is cash on delivery available?', 'Yes, you can pay the courier in cash or by card when the parcel arrives. Cash on delivery costs 5 lei extra and is not available for easybox delivery.'),
  qa('ro-installments', 'ro', 'Pot cumpăra în rate?', 'Da, pentru comenzile de peste 500 lei poți plăti în 3–12 rate fără dobândă cu cardurile Star BT și CardAvantaj. Alege „Plată în rate” la finalizarea comenzii.'),
  qa('en-installments', 'en', 'Can I pay in instalments?', 'Yes, orders over 500 lei can be paid in 3–12 interest-free instalments with Star BT and CardAvantaj cards. Choose “Pay in instalments” at checkout.'),
  qa('ro-payment-declined', 'ro', 'De ce mi-a fost refuzată plata cu cardul?', 'Cele mai frecvente cauze sunt fondurile insuficiente, limita de plăți online a cardului sau confirmarea 3D Secure neterminată. Verifică datele cardului și încearcă din nou sau alege altă metodă de plată. Dacă problema continuă, contactează banca emitentă.'),
  qa('en-payment-declined', 'en', 'Why was my card payment declined?', 'The usual causes are insufficient funds, the card’s online payment limit or an unfinished 3D Secure confirmation. Check the card details and try again, or choose another payment method. If it keeps failing, contact your bank.'),
  qa('ro-charged-no-order', 'ro', 'Mi s-au luat banii de pe card, dar comanda nu apare.', 'Dacă plata nu s-a finalizat, suma este doar blocată de bancă și se deblochează automat în 3–5 zile lucrătoare. Dacă banii au fost retrași, trimite-ne o captură a tranzacției și îți confirmăm comanda sau îți returnăm suma.'),
  qa('en-charged-no-order', 'en', 'I was charged but my order does not show up.', 'If the payment did not complete, the amount is only held by your bank and is released automatically within 3–5 working days. If the money was actually taken, send us a screenshot of the transaction and we will confirm your order or pay the amount back.'),

  // Showroom, hours, contact
  qa('any-showroom', 'any', 'Unde se află showroomul? / Where is the showroom?', 'Showroomul Modista se află pe Bd. Unirii 15, București, lângă stația de metrou Unirii. / The Modista showroom is at Bd. Unirii 15, Bucharest, next to Unirii metro station.'),
  qa('any-contact', 'any', 'Date de contact / Contact details', 'Telefon / Phone: 0371 000 111 · WhatsApp: 0722 000 111 · Email: contact@modista.ro'),
  qa('ro-store-hours', 'ro', 'Care este programul showroomului?', 'Showroomul este deschis de luni până vineri între 10:00 și 20:00 și sâmbăta între 10:00 și 16:00. Duminica este închis.'),
  qa('en-store-hours', 'en', 'What are the showroom opening hours?', 'The showroom is open Monday to Friday from 10 am to 8 pm and on Saturday from 10 am to 4 pm. It is closed on Sunday.'),
  qa('ro-holidays', 'ro', 'Sunteți deschiși în zilele de sărbătoare legală?', 'În zilele de sărbătoare legală showroomul este închis, iar comenzile online plasate atunci se expediază în prima zi lucrătoare. Programul special de sărbători îl anunțăm pe site.'),
  qa('ro-customer-service', 'ro', 'Care este programul serviciului clienți?', 'Serviciul clienți răspunde la telefon și pe WhatsApp de luni până vineri, între 9:00 și 18:00. Mesajele primite în afara programului primesc răspuns în următoarea zi lucrătoare.'),
  qa('en-customer-service', 'en', 'When is customer service available?', 'Customer service answers the phone and WhatsApp Monday to Friday, 9 am to 6 pm. Messages sent outside these hours are answered on the next working day.'),

  // Warranty
  qa('ro-warranty', 'ro', 'Ce garanție au produsele?', 'Toate produsele beneficiază de garanția legală de conformitate de 2 ani de la livrare. Garanția acoperă defectele de fabricație, de exemplu cusături desfăcute sau talpă dezlipită, nu și uzura normală sau deteriorarea prin folosire greșită.'),
  qa('en-warranty', 'en', 'What warranty do the products have?', 'Every product has the 2-year legal guarantee of conformity from delivery. It covers manufacturing defects, such as split seams or a sole coming unglued, but not normal wear or damage from misuse.'),
  qa('ro-warranty-claim', 'ro', 'Cum depun o reclamație în garanție?', 'Completează formularul „Reclamație” din cont sau scrie-ne la contact@modista.ro cu numărul comenzii și câteva fotografii ale defectului. Îți răspundem în maximum 15 zile cu soluția: reparare, înlocuire sau returnarea banilor.'),
  qa('en-warranty-claim', 'en', 'How do I make a warranty claim?', 'Fill in the “Complaint” form in your account or write to contact@modista.ro with the order number and a few photos of the fault. We reply within 15 days with a repair, a replacement or a refund.'),

  // Orders
  qa('ro-tracking', 'ro', 'Cum pot urmări comanda?', 'Când comanda pleacă din depozit primești pe email și prin SMS numărul AWB și linkul de urmărire al curierului. Statusul comenzii îl vezi oricând și în cont, la „Comenzile mele”.'),
  qa('en-tracking', 'en', 'How can I track my order?', 'When your order leaves the warehouse you get the AWB number and the courier’s tracking link by email and SMS. You can also see the order status any time under “My orders” in your account.'),
  qa('ro-late-order', 'ro', 'Comanda mea întârzie. Ce pot face?', 'Verifică întâi statusul AWB-ului în linkul primit. Dacă au trecut mai mult de 3 zile lucrătoare de la expediere și coletul nu a ajuns, trimite-ne numărul comenzii și verificăm cu firma de curierat.'),
  qa('en-late-order', 'en', 'My order is late. What can I do?', 'First check the AWB status in the tracking link. If more than 3 working days have passed since dispatch and the parcel has not arrived, send us the order number and we will chase the courier company.'),
  qa('ro-cancel', 'ro', 'Pot anula comanda?', 'Poți anula comanda din cont, la „Comenzile mele”, cât timp are statusul „În procesare”. Dacă a fost deja expediată, refuză coletul la livrare sau returnează-l după primire; dacă ai plătit cu cardul, banii îți revin în 3–5 zile lucrătoare.'),
  qa('en-cancel', 'en', 'Can I cancel my order?', 'You can cancel it under “My orders” in your account while its status is “Processing”. If it has already shipped, refuse the parcel on delivery or return it once received; card payments come back within 3–5 working days.'),
  qa('ro-modify-order', 'ro', 'Pot adăuga un produs într-o comandă deja plasată?', 'Nu putem modifica produsele unei comenzi după ce a fost plasată. Poți plasa o comandă nouă; dacă ne scrii rapid, încercăm să le expediem împreună într-un singur colet.'),
  qa('en-modify-order', 'en', 'Can I add a product to an order I already placed?', 'We cannot change the products of an order once it is placed. You can place a new order; if you message us quickly we try to ship both together in one parcel.'),
  qa('ro-wrong-item', 'ro', 'Am primit alt produs decât cel comandat.', 'Ne pare rău! Scrie-ne în 48 de ore de la primire cu numărul comenzii și o fotografie a produsului primit. Îți trimitem gratuit produsul corect sau produsul lipsă, iar curierul ridică produsul greșit.'),
  qa('en-wrong-item', 'en', 'I received a different product from the one I ordered.', 'We are sorry! Write to us within 48 hours of delivery with the order number and a photo of what you received. We send the right or missing product free of charge and the courier collects the wrong one.'),
  qa('ro-damaged-parcel', 'ro', 'Coletul a ajuns deteriorat.', 'Dacă ambalajul este vizibil deteriorat, refuză coletul sau cere curierului să întocmească un proces-verbal. Dacă ai observat problema după ce l-ai deschis, trimite-ne fotografii în 48 de ore și rezolvăm prin înlocuire sau rambursare.'),
  qa('en-damaged-parcel', 'en', 'The parcel arrived damaged.', 'If the packaging is visibly damaged, refuse the parcel or ask the courier to write a damage report. If you notice the problem after opening it, send us photos within 48 hours and we will replace the item or refund you.'),

  // Invoices
  qa('ro-invoice', 'ro', 'Unde găsesc factura comenzii?', 'Factura fiscală este trimisă pe email la expedierea comenzii și o poți descărca oricând din cont, la „Comenzile mele”, secțiunea „Documente”.'),
  qa('en-invoice', 'en', 'Where can I find the invoice for my order?', 'The invoice is emailed when your order ships, and you can download it any time under “My orders” → “Documents” in your account.'),
  qa('ro-company-invoice', 'ro', 'Pot primi factură pe firmă?', 'Da. La finalizarea comenzii bifează „Persoană juridică” și completează denumirea firmei, CUI-ul și numărul de înregistrare la Registrul Comerțului. O factură emisă pe persoană fizică se poate reface pe firmă doar în aceeași lună.'),
  qa('en-company-invoice', 'en', 'Can I get an invoice in my company’s name?', 'Yes. At checkout tick “Company” and fill in the company name, VAT code (CUI) and trade register number. An invoice already issued to a private person can be reissued to a company only within the same month.'),

  // Sizes
  qa('ro-size-guide', 'ro', 'Cum aleg mărimea potrivită?', 'Pe pagina fiecărui produs găsești „Ghidul de mărimi”, cu măsurile în centimetri pentru bust, talie și șolduri. Măsoară-te și compară cu tabelul; dacă ești între două mărimi, îți recomandăm mărimea mai mare.'),
  qa('en-size-guide', 'en', 'How do I choose the right size?', 'Every product page has a “Size guide” with bust, waist and hip measurements in centimetres. Measure yourself and compare with the chart; if you are between two sizes, we recommend the larger one.'),
  qa('ro-shoe-size', 'ro', 'Încălțămintea vine pe mărime?', 'Da, încălțămintea noastră are mărimi europene standard. Pentru fiecare model indicăm lungimea interioară a tălpii în centimetri: măsoară-ți piciorul de la călcâi la vârf și alege mărimea cu lungimea cea mai apropiată.'),
  qa('en-shoe-size', 'en', 'Do the shoes fit true to size?', 'Yes, our shoes use standard European sizes. For every model we give the insole length in centimetres: measure your foot from heel to toe and pick the size with the closest length.'),

  // Discounts
  qa('ro-newsletter-discount', 'ro', 'Primesc reducere dacă mă abonez la newsletter?', 'Da, la abonarea la newsletter primești pe email un cod de 10% reducere pentru prima comandă, valabil 30 de zile.'),
  qa('en-newsletter-discount', 'en', 'Do I get a discount for subscribing to the newsletter?', 'Yes, when you subscribe to the newsletter we email you a 10% discount code for your first order, valid for 30 days.'),
  qa('ro-code-not-working', 'ro', 'De ce nu funcționează codul de reducere?', 'Verifică dacă codul este scris corect, dacă nu a expirat și dacă valoarea coșului atinge minimul cerut. Codurile nu se cumulează și nu se aplică produselor deja reduse, dacă nu este specificat altfel.'),
  qa('en-code-not-working', 'en', 'Why doesn’t my discount code work?', 'Check that the code is spelled correctly, has not expired and that your basket reaches the minimum value. Codes cannot be combined and do not apply to items already on sale unless stated otherwise.'),
  qa('ro-loyalty', 'ro', 'Cum funcționează punctele de fidelitate?', 'Pentru fiecare leu cheltuit primești un punct în programul Modista Club. La 100 de puncte primești un voucher de 5 lei, pe care îl poți folosi la următoarea comandă. Punctele expiră după 12 luni.'),
  qa('en-loyalty', 'en', 'How do loyalty points work?', 'You earn one Modista Club point for every leu you spend. Every 100 points turn into a 5 lei voucher for your next order. Points expire after 12 months.'),
  qa('ro-student', 'ro', 'Aveți reduceri pentru studenți?', 'Da, studenții primesc 15% reducere la produsele din colecția nouă. Trimite-ne o fotografie a carnetului de student vizat pentru anul în curs și îți activăm reducerea în cont.'),
  qa('ro-gift-card', 'ro', 'Vindeți carduri cadou?', 'Da, cardurile cadou Modista au valori între 50 și 500 lei și sunt valabile 12 luni. Le poți cumpăra online (primești codul pe email) sau din showroom.'),
  qa('en-gift-card', 'en', 'Do you sell gift cards?', 'Yes, Modista gift cards come in values from 50 to 500 lei and are valid for 12 months. Buy them online (the code arrives by email) or in the showroom.'),
  qa('en-price-drop', 'en', 'The price dropped after I bought the item. Can I get the difference back?', 'We do not refund price differences after a purchase. If the order has not shipped yet, you can cancel it and order again at the new price.'),

  // Account
  qa('ro-create-account', 'ro', 'Cum îmi fac cont pe site?', 'Apasă pe „Contul meu” din colțul din dreapta sus, apoi pe „Creează cont”. Completează numele, adresa de email și o parolă, apoi confirmă adresa din emailul primit.'),
  qa('en-create-account', 'en', 'How do I create an account?', 'Press “My account” in the top right corner, then “Create account”. Fill in your name, email address and a password, then confirm the address from the email we send.'),
  qa('ro-forgot-password', 'ro', 'Am uitat parola contului.', 'Pe pagina de autentificare apasă „Ai uitat parola?” și introdu adresa de email a contului. Îți trimitem un link de resetare valabil 24 de ore; verifică și folderul Spam.'),
  qa('en-forgot-password', 'en', 'I forgot my password.', 'On the sign-in page press “Forgot your password?” and enter your account’s email address. We send a reset link valid for 24 hours; check your spam folder too.'),
  qa('ro-delete-account', 'ro', 'Cum îmi șterg contul?', 'Trimite o cerere din cont, la „Setări” → „Șterge contul”, sau scrie-ne la dpo@modista.ro. Ștergem contul și datele personale în 30 de zile, cu excepția facturilor, pe care legea ne obligă să le păstrăm.'),
  qa('en-delete-account', 'en', 'How do I delete my account?', 'Send a request from “Settings” → “Delete account” or write to dpo@modista.ro. We delete the account and your personal data within 30 days, except invoices, which the law requires us to keep.'),
  qa('ro-guest', 'ro', 'Pot comanda fără să îmi fac cont?', 'Da, poți plasa comanda ca vizitator, doar cu numele, adresa de livrare, telefonul și emailul. Un cont te ajută însă să urmărești comenzile și să faci retur mai ușor.'),
  qa('en-guest', 'en', 'Can I order without creating an account?', 'Yes, you can check out as a guest with just your name, delivery address, phone and email. An account makes tracking orders and returns easier, though.'),
  qa('en-change-email', 'en', 'How do I change the email address or phone number on my account?', 'Go to “Settings” → “Personal details” in your account, edit the email address or phone number and save. A new email address has to be confirmed from the message we send to it.'),
  qa('ro-unsubscribe', 'ro', 'Cum mă dezabonez de la newsletter?', 'Apasă pe linkul „Dezabonare” din partea de jos a oricărui email de la noi sau debifează opțiunea din cont, la „Setări” → „Notificări”.'),

  // Products
  qa('ro-restock', 'ro', 'Când revine un produs în stoc?', 'Nu putem garanta reaprovizionarea fiecărui produs. Pe pagina produsului apasă „Anunță-mă când revine în stoc” și îți trimitem un email imediat ce mărimea dorită este din nou disponibilă.'),
  qa('en-restock', 'en', 'When will a sold-out product be back in stock?', 'We cannot promise that every product is restocked. On the product page press “Notify me when it’s back” and we email you as soon as your size is available again.'),
  qa('en-care', 'en', 'How should I wash and care for my clothes?', 'Follow the care label sewn inside each garment. Wash wool and silk by hand in cold water and dry them flat; denim inside out at 30 °C. Do not tumble dry knitwear.'),
  qa('en-gift-wrap', 'en', 'Do you offer gift wrapping?', 'Yes, tick “Gift wrapping” in the basket for 9 lei per order. We wrap the items in a Modista box with a ribbon and leave the price off the delivery note.'),

  // Documents
  doc('doc-ro-delivery', 'ro', 'Termeni și condiții de livrare', [
    'Comenzile sunt livrate pe teritoriul României prin firmele de curierat FAN Courier și Sameday. Coletele pleacă din depozitul nostru din Chiajna, județul Ilfov, de luni până vineri.',
    'Termenul de livrare este de 1–3 zile lucrătoare de la confirmarea comenzii. În perioadele aglomerate, cum ar fi Black Friday sau sărbătorile de iarnă, termenul se poate prelungi cu până la 2 zile lucrătoare.',
    'Pentru localitățile greu accesibile, aflate în afara razei de acoperire a curierului, se poate percepe o taxă de kilometri suplimentari, de 1 leu pe kilometru, pe care curierul o comunică înainte de livrare.',
    'Curierul încearcă livrarea de două ori. Dacă nu ești de găsit la adresă nici la a doua încercare, coletul se întoarce la noi și comanda se anulează. Pentru o nouă expediere se plătește din nou costul transportului.',
    'La primirea coletului poți verifica starea ambalajului în prezența curierului. Firmele de curierat nu permit deschiderea coletului înainte de plata rambursului, dar poți refuza coletul dacă ambalajul este deteriorat.',
    'Pentru livrările în afara Uniunii Europene, taxele vamale și TVA-ul de import sunt suportate de client și se plătesc la livrare, conform legislației țării de destinație. Comenzile către Elveția, Regatul Unit sau Norvegia pot fi reținute în vamă câteva zile. Nu livrăm în afara Europei.',
  ]),
  doc('doc-en-delivery', 'en', 'Delivery terms and conditions', [
    'Orders are delivered within Romania by the courier companies FAN Courier and Sameday. Parcels leave our warehouse in Chiajna, Ilfov county, Monday to Friday.',
    'Delivery takes 1–3 working days from order confirmation. In busy periods such as Black Friday or the winter holidays it can take up to 2 working days longer.',
    'Remote places outside the courier’s coverage area may carry an extra-kilometre fee of 1 leu per kilometre, which the courier tells you before delivery.',
    'The courier tries to deliver twice. If nobody is at the address on the second attempt, the parcel comes back to us and the order is cancelled. Sending it again means paying the shipping cost again.',
    'When the parcel arrives you may check the packaging in front of the courier. Courier companies do not allow opening the parcel before a cash-on-delivery payment, but you can refuse a parcel whose packaging is damaged.',
    'For deliveries outside the European Union, customs duties and import VAT are paid by the customer on delivery, under the rules of the destination country. Orders to Switzerland, the United Kingdom or Norway may be held at customs for a few days. We do not deliver outside Europe.',
  ]),
  doc('doc-ro-returns', 'ro', 'Politica de retur', [
    'Conform legii, ai dreptul să te retragi din contract în 14 zile de la primirea produselor. Modista extinde acest termen la 30 de zile calendaristice pentru toate comenzile online.',
    'Produsele returnate trebuie să fie în starea în care au fost primite: nepurtate, nespălate, cu etichetele originale atașate și, dacă este cazul, în cutia originală. Încălțămintea se probează doar pe o suprafață curată, fără să fie purtată afară.',
    'Dacă produsul returnat are urme de purtare, miros, pete sau etichete lipsă, putem refuza returul sau putem reține din suma rambursată contravaloarea deprecierii. Te anunțăm înainte, cu fotografii.',
    'Produsele cumpărate din showroom se returnează în showroom, în aceleași condiții, pe baza bonului fiscal. Și produsele comandate online pot fi aduse în showroom, fără cost de transport.',
    'Pentru comenzile livrate în afara României, costul transportului de retur este suportat de client. Coletul se trimite la depozitul din Chiajna, împreună cu formularul de retur completat.',
    'Banii se returnează prin aceeași metodă de plată folosită la comandă, în cel mult 14 zile de la primirea produselor în depozit. Costul livrării inițiale se rambursează doar dacă returnezi toate produsele din comandă.',
  ]),
  doc('doc-en-returns', 'en', 'Returns policy', [
    'By law you may withdraw from the contract within 14 days of receiving the products. Modista extends this to 30 calendar days for every online order.',
    'Returned products must be in the condition they arrived in: unworn, unwashed, with the original labels attached and, where relevant, in the original box. Try shoes on a clean surface only, never outdoors.',
    'If a returned product shows signs of wear, smells, has stains or missing labels, we may refuse the return or deduct the loss in value from the refund. We tell you first and send photos.',
    'Products bought in the showroom are returned in the showroom on the same terms, with the receipt. Online orders can also be brought back to the showroom, with no shipping cost.',
    'For orders delivered outside Romania, the return shipping is paid by the customer. Send the parcel to our Chiajna warehouse together with the completed return form.',
    'Refunds use the payment method of the order and are made within 14 days of the products reaching the warehouse. The original delivery charge is refunded only when you return every item of the order.',
  ]),
  doc('doc-en-privacy', 'en', 'Privacy policy', [
    'Modista SRL, Bd. Unirii 15, Bucharest, is the controller of the personal data you give us when you create an account, place an order or write to customer service.',
    'We process your name, delivery address, phone number, email address and order history. Card payments are handled by our payment processor: we never see or store your full card number.',
    'We share delivery details with the courier companies and payment details with the payment processor, only as far as needed to fulfil your order. We never sell your personal data.',
    'The website uses essential cookies to keep your basket and session, and analytics and marketing cookies only with your consent. You can change your choice at any time from the “Cookie settings” link at the bottom of every page.',
    'You have the right to access, correct, delete or receive a copy of your data and to object to marketing. Write to dpo@modista.ro; we answer within 30 days. You may also complain to the national data protection authority (ANSPDCP).',
    'We keep invoices and order records for 10 years, as accounting law requires, and marketing data until you unsubscribe or withdraw your consent.',
  ]),
]

/** A customer message with the entry that answers it (several ids: any of them is right), or null. */
export interface LabelledQuestion {
  text: string
  /** the language the customer writes in (what a contact's language would say) */
  language: 'ro' | 'en'
  answer: string | string[] | null
}

function ask(answer: string | string[] | null, language: 'ro' | 'en', texts: string[]): LabelledQuestion[] {
  return texts.map(text => ({ text, language, answer }))
}

/** Questions the knowledge base answers, in both languages. */
export const ANSWERABLE_QUESTIONS: LabelledQuestion[] = [
  ...ask(['ro-delivery-time', 'doc-ro-delivery'], 'ro', ['in cate zile ajunge coletul?', 'cat dureaza livrarea la voi', 'Dacă comand azi, când primesc produsele?']),
  ...ask(['en-delivery-time', 'doc-en-delivery'], 'en', ['how many days until my package arrives?', 'if i order today when will it get here', 'how long does shipping take']),
  ...ask('ro-delivery-cost', 'ro', ['cat costa livrarea?', 'cât plătesc transportul pentru o comandă de 100 lei?', 'e gratuit transportul daca comand peste 250 de lei']),
  ...ask('en-delivery-cost', 'en', ['how much do you charge for delivery?', 'is delivery free over a certain amount?', 'shipping price?']),
  ...ask('ro-easybox', 'ro', ['se poate livra la easybox?', 'vreau sa ridic coletul dintr-un locker, se poate?']),
  ...ask('en-easybox', 'en', ['can i pick up my parcel from a locker?', 'do you deliver to easybox']),
  ...ask('ro-international', 'ro', ['trimiteti si in germania?', 'livrati in Republica Moldova?', 'se poate livra in strainatate']),
  ...ask('en-international', 'en', ['do you ship to france?', 'do you deliver internationally', 'can i order from italy?']),
  ...ask('ro-saturday', 'ro', ['vine curierul si sambata?', 'se poate livra in weekend?']),
  ...ask('ro-change-address', 'ro', ['am gresit adresa la comanda, cum o schimb', 'pot sa schimb adresa de livrare? m-am mutat']),
  ...ask('en-change-address', 'en', ['i put the wrong address on my order, can you fix it?', 'can i update the shipping address?']),
  ...ask('ro-pickup', 'ro', ['pot sa vin sa iau comanda de la magazin?', 'pot ridica eu coletul de la voi de la sediu?']),
  ...ask('en-pickup', 'en', ['can i collect my order from your shop?', 'is there click and collect?', 'can i pick up the order myself instead of delivery?']),
  ...ask('ro-return-how', 'ro', ['cum trimit inapoi un produs?', 'vreau sa returnez o rochie, ce trebuie sa fac']),
  ...ask('en-return-how', 'en', ['how do i send something back?', 'i want to return a pair of jeans, what do i do']),
  ...ask(['ro-return-period', 'doc-ro-returns'], 'ro', ['cate zile am la dispozitie pt retur?', 'am primit coletul acum 3 saptamani, mai pot returna?']),
  ...ask(['en-return-period', 'doc-en-returns'], 'en', ['how long do i have to return an item?', 'i got my order a month ago, is it too late to return it?']),
  ...ask('ro-return-cost', 'ro', ['trebuie sa platesc transportul la retur?', 'costa ceva returnarea?']),
  ...ask('en-return-cost', 'en', ['do i have to pay for returning something?', 'is the return free of charge']),
  ...ask(['ro-refund', 'doc-ro-returns'], 'ro', ['in cat timp primesc banii dupa ce am returnat?', 'am trimis returul saptamana trecuta, cand imi vin banii inapoi?']),
  ...ask(['en-refund', 'doc-en-returns'], 'en', ['when do i get my money back?', 'how long does a refund take']),
  ...ask('ro-exchange', 'ro', ['pot schimba geaca pe o marime mai mare?', 'mi-e mica bluza, se poate face schimb?']),
  ...ask('en-exchange', 'en', ['can i swap for a bigger size?', 'the shoes are too small, can i exchange them?']),
  ...ask('ro-non-returnable', 'ro', ['pot returna un costum de baie?', 'se pot returna cerceii?']),
  ...ask('en-non-returnable', 'en', ['can i return swimwear?', 'are earrings returnable?']),
  ...ask('ro-payment-methods', 'ro', ['cum pot plati?', 'ce optiuni de plata aveti', 'se poate plati cu google pay?']),
  ...ask('en-payment-methods', 'en', ['how can i pay?', 'do you take apple pay?', 'do you accept paypal?']),
  ...ask('ro-cod', 'ro', ['se poate plati cash la livrare?', 'platesc la curier cand vine coletul?']),
  ...ask('en-cod', 'en', ['can i pay the courier in cash?', 'can i pay when the parcel arrives?']),
  ...ask('ro-installments', 'ro', ['aveti plata in rate?', 'pot lua in rate cu cardul star bt?']),
  ...ask('en-installments', 'en', ['can i split the payment into monthly installments?', 'do you offer interest free payment plans']),
  ...ask('ro-payment-declined', 'ro', ['nu imi merge plata cu cardul', 'de ce imi da eroare cand platesc cu cardul?']),
  ...ask('en-payment-declined', 'en', ['my card keeps getting rejected', 'card payment failed at checkout, why?']),
  ...ask('ro-charged-no-order', 'ro', ['mi au fost retrasi banii de pe card dar nu am primit confirmarea comenzii', 'am platit dar comanda nu apare in cont']),
  ...ask('en-charged-no-order', 'en', ['money was taken from my card but i have no order confirmation', 'i paid but my order doesnt show up']),
  ...ask('any-showroom', 'ro', ['unde aveti magazinul?', 'care e adresa showroom-ului?']),
  ...ask('any-showroom', 'en', ['what\'s the address of your store?', 'where is your showroom located']),
  ...ask('any-contact', 'ro', ['care e numarul de telefon?', 'dati-mi un email de contact']),
  ...ask('any-contact', 'en', ['what\'s your phone number?', 'what email can i contact you on?']),
  ...ask('ro-store-hours', 'ro', ['la ce ora deschideti?', 'pana la ce ora e deschis showroomul sambata', 'sunteti deschisi duminica?']),
  ...ask('en-store-hours', 'en', ['what time do you open?', 'are you open on sundays?', 'what time does the showroom close on saturday']),
  ...ask('ro-holidays', 'ro', ['sunteti deschisi de sarbatori?', 'lucrati in zilele libere legale?', 'e deschis showroomul de Crăciun?']),
  ...ask('ro-customer-service', 'ro', ['pana la ce ora raspundeti la telefon?', 'cand pot suna la serviciul clienti']),
  ...ask('en-customer-service', 'en', ['what hours is customer support available?', 'when can i call customer service?']),
  ...ask('ro-warranty', 'ro', ['cata garantie au pantofii?', 'ce acopera garantia?']),
  ...ask('en-warranty', 'en', ['do your products come with a guarantee?', 'how long is the warranty on boots?']),
  ...ask('ro-warranty-claim', 'ro', ['s-a dezlipit talpa la ghete dupa o luna, ce fac?', 'cum fac reclamatie pentru un produs defect']),
  ...ask('en-warranty-claim', 'en', ['the sole came off my shoes after a month, what should i do', 'how do i report a faulty product?']),
  ...ask('ro-tracking', 'ro', ['unde vad unde e coletul meu?', 'cum aflu awb-ul comenzii?']),
  ...ask('en-tracking', 'en', ['where can i see where my package is?', 'how do i get the tracking number']),
  ...ask('ro-late-order', 'ro', ['comanda nu a ajuns nici acum, au trecut 5 zile de la expediere', 'de ce intarzie coletul?']),
  ...ask('en-late-order', 'en', ['my parcel still hasnt arrived after a week', 'order is late, what can i do']),
  ...ask('ro-cancel', 'ro', ['vreau sa anulez comanda', 'cum renunt la o comanda facuta azi?']),
  ...ask('en-cancel', 'en', ['i want to cancel my order', 'how do i cancel an order i placed this morning']),
  ...ask('ro-modify-order', 'ro', ['pot sa mai adaug ceva la comanda?', 'am uitat sa pun o bluza in cos, o puteti adauga la comanda mea?']),
  ...ask('en-modify-order', 'en', ['can i add something to my existing order?', 'forgot an item, can you add it to my order']),
  ...ask('ro-wrong-item', 'ro', ['mi-a venit alt produs decat am comandat', 'lipseste un produs din colet']),
  ...ask('en-wrong-item', 'en', ['i got the wrong product', 'an item is missing from my package']),
  ...ask('ro-damaged-parcel', 'ro', ['cutia coletului a venit rupta', 'coletul era deteriorat cand l-am primit']),
  ...ask('en-damaged-parcel', 'en', ['the box arrived crushed', 'my package was damaged when it arrived']),
  ...ask('ro-invoice', 'ro', ['de unde descarc factura?', 'nu am primit factura pe mail']),
  ...ask('en-invoice', 'en', ['where do i download my invoice?', 'i didnt receive the invoice']),
  ...ask('ro-company-invoice', 'ro', ['vreau factura pe firma, cum fac?', 'cum trec CUI-ul firmei pe factura']),
  ...ask('en-company-invoice', 'en', ['i need a VAT invoice for my business', 'can you put my company details on the invoice?']),
  ...ask('ro-size-guide', 'ro', ['ce marime sa iau? nu stiu ce sa aleg', 'aveti tabel cu marimi?']),
  ...ask('en-size-guide', 'en', ['what size should i get?', 'do you have a size chart?']),
  ...ask('ro-shoe-size', 'ro', ['pantofii sunt mari sau mici pe marime?', 'incaltamintea e pe masura sau sa iau un numar mai mare?']),
  ...ask('en-shoe-size', 'en', ['do the sneakers fit true to size?', 'do your shoes run small or big?']),
  ...ask('ro-newsletter-discount', 'ro', ['daca ma abonez la newsletter am vreun discount?', 'am auzit ca dati 10% la prima comanda']),
  ...ask('en-newsletter-discount', 'en', ['is there a discount for signing up to the newsletter?', 'do i get 10% off my first order?']),
  ...ask('ro-code-not-working', 'ro', ['codul de reducere nu merge', 'nu se aplica codul promotional in cos']),
  ...ask('en-code-not-working', 'en', ['my promo code isnt working', 'the discount code won\'t apply']),
  ...ask('ro-loyalty', 'ro', ['cum strang puncte de fidelitate?', 'ce fac cu punctele din modista club']),
  ...ask('en-loyalty', 'en', ['how do i earn points?', 'what are modista club points worth?']),
  ...ask('ro-student', 'ro', ['sunt student, am reducere?', 'discount pentru studenti exista?']),
  ...ask('ro-gift-card', 'ro', ['aveti carduri cadou?', 'as vrea sa cumpar un card cadou pentru o prietena']),
  ...ask('en-gift-card', 'en', ['can i buy a gift card?', 'do you have gift vouchers']),
  ...ask('en-price-drop', 'en', ['the price went down right after i bought it, can i get the difference?', 'it\'s cheaper now than when i ordered, can you refund the difference']),
  ...ask('ro-create-account', 'ro', ['cum imi creez cont?', 'vreau sa-mi fac un cont pe site']),
  ...ask('en-create-account', 'en', ['how do i sign up for an account?', 'how to create an account on your website']),
  ...ask('ro-forgot-password', 'ro', ['nu mai stiu parola', 'nu ma pot loga, am uitat parola']),
  ...ask('en-forgot-password', 'en', ['i cant log in, forgot my password', 'how do i reset my password']),
  ...ask('ro-delete-account', 'ro', ['vreau sa-mi stergeti contul si datele personale', 'cum sterg contul definitiv']),
  ...ask('en-delete-account', 'en', ['please delete my account', 'how can i close my account and remove my data']),
  ...ask('ro-guest', 'ro', ['trebuie neaparat cont ca sa comand?', 'se poate comanda fara cont?']),
  ...ask('en-guest', 'en', ['do i need an account to order?', 'can i check out as a guest?']),
  ...ask('en-change-email', 'en', ['how do i update my email address?', 'i changed my phone number, how do i change it in my account?']),
  ...ask('ro-unsubscribe', 'ro', ['nu mai vreau sa primesc newsletterul', 'cum ma dezabonez?']),
  ...ask('ro-restock', 'ro', ['cand mai aduceti marimea S la rochia neagra? nu mai e pe stoc', 'produsul nu mai e in stoc, mai revine?']),
  ...ask('en-restock', 'en', ['when will the black dress be back in stock?', 'will you restock the sold out size M?']),
  ...ask('en-care', 'en', ['how do i wash a wool sweater?', 'can i tumble dry the knitwear?']),
  ...ask('en-gift-wrap', 'en', ['can you wrap it as a gift?', 'do you do gift wrapping for presents?']),
  // Documents: the answer is a paragraph.
  ...ask('doc-ro-delivery', 'ro', [
    'ce se intampla daca nu sunt acasa cand vine curierul?',
    'pot deschide coletul inainte sa platesc?',
    'unde e depozitul vostru?',
    'trebuie sa platesc kilometri suplimentari daca stau la tara?',
    'cine plateste taxele vamale in Elvetia?',
    'de black friday dureaza mai mult livrarea?',
  ]),
  ...ask('doc-en-delivery', 'en', [
    'what happens if im not home when the courier comes?',
    'can i open the parcel before paying?',
    'who pays customs duties for switzerland?',
    'do deliveries take longer around black friday?',
  ]),
  ...ask(['doc-en-delivery', 'en-international'], 'en', ['do you deliver to the usa?']),
  ...ask('doc-ro-returns', 'ro', [
    'pot returna in showroom un produs comandat online?',
    'ce se intampla daca returnez o bluza purtata?',
    'cine plateste transportul de retur din Spania?',
    'imi retineti bani daca produsul returnat are o pata?',
    'imi dati inapoi si banii pe livrare daca returnez tot?',
  ]),
  ...ask('doc-en-returns', 'en', [
    'can i bring an online order back to the showroom?',
    'what if the item i return has been worn?',
    'who pays return shipping from france?',
    'do i need the original box to return shoes?',
    'is the delivery fee refunded if i send everything back?',
  ]),
  ...ask('doc-en-privacy', 'en', [
    'do you store my card number?',
    'who do you share my personal data with?',
    'how do i change my cookie settings?',
    'how long do you keep my data?',
    'can i get a copy of my personal data?',
  ]),
  // A few with typos and run-together informal writing.
  ...ask('ro-delivery-cost', 'ro', ['cat costa transportu pana in cluj']),
  ...ask('ro-return-how', 'ro', ['cum fac returu la o pereche de blugi']),
  ...ask('ro-forgot-password', 'ro', ['am uitat parla de la cont']),
  ...ask('ro-tracking', 'ro', ['unde e comanda mea? vreau sa o urmaresc']),
  ...ask('en-delivery-time', 'en', ['how long is delivry?']),
  ...ask('en-refund', 'en', ['when will i recieve my refund']),
  ...ask('en-warranty', 'en', ['whats the waranty period']),
  ...ask('en-store-hours', 'en', ['opening hours of the showroom pls']),
]

/** Questions the knowledge base cannot answer: greetings, off-topic, and near-domain ones it has nothing on. */
export const UNANSWERABLE_QUESTIONS: LabelledQuestion[] = [
  ...ask(null, 'ro', [
    'buna ziua',
    'salut!',
    'multumesc frumos',
    'ok',
    'bine, mersi',
    'ce vreme va fi maine in bucuresti?',
    'vindeti si laptopuri?',
    'aveti parcare la showroom?',
    'angajati? as vrea sa lucrez la voi',
    'imi puteti recomanda un restaurant bun?',
    'cine a castigat meciul aseara?',
    'faceti si ajustari la pantaloni?',
    'aveti aplicatie pe telefon?',
    'cumparati haine purtate?',
    'cat e ceasul?',
    'esti robot?',
    'pot veni cu cainele in magazin?',
  ]),
  ...ask(null, 'en', [
    'hi',
    'hello there',
    'thanks!',
    'ok cool',
    'good morning',
    'what\'s the weather like today?',
    'do you sell phones?',
    'are you hiring?',
    'who is the ceo of the company',
    'do you have a mobile app?',
    'what\'s the capital of france',
    'tell me a joke',
    'do you do alterations on trousers?',
    'is there parking near the showroom?',
    'do you buy second hand clothes?',
    'what is 2+2',
    'lol',
    'can i bring my dog into the store?',
  ]),
]

/**
 * Written after the engine was tuned on the questions above, and never tuned on: how the engine
 * does on questions it has not seen (`kb_retrieval_quality` with `set: 'held-out'`).
 */
export const HELD_OUT_QUESTIONS: LabelledQuestion[] = [
  ...ask(['ro-delivery-time', 'doc-ro-delivery'], 'ro', ['cand ajunge comanda daca o fac acum?']),
  ...ask(['en-delivery-time', 'doc-en-delivery'], 'en', ['how fast is your delivery']),
  ...ask('ro-delivery-cost', 'ro', ['cat e taxa de livrare?']),
  ...ask('en-delivery-cost', 'en', ['what does delivery cost for an order of 100 lei?']),
  ...ask('ro-easybox', 'ro', ['merge livrarea la easybox sameday?']),
  ...ask('en-international', 'en', ['can you send my order to spain?']),
  ...ask('ro-international', 'ro', ['faceti livrari in Austria?']),
  ...ask('ro-change-address', 'ro', ['vreau sa modific adresa de la comanda']),
  ...ask('en-pickup', 'en', ['can i come and get my order at the showroom']),
  ...ask('ro-return-how', 'ro', ['cum se face returul?']),
  ...ask('en-return-how', 'en', ['whats the procedure for returns']),
  ...ask(['ro-return-period', 'doc-ro-returns'], 'ro', ['pana cand pot sa returnez produsele?']),
  ...ask('en-return-cost', 'en', ['is there a fee for returns?']),
  ...ask(['ro-refund', 'doc-ro-returns'], 'ro', ['cand primesc rambursarea?']),
  ...ask('en-exchange', 'en', ['can i change the size of the jacket i bought?']),
  ...ask('ro-non-returnable', 'ro', ['pot returna lenjerie intima?']),
  ...ask('ro-payment-methods', 'ro', ['acceptati plata prin transfer bancar?']),
  ...ask('en-cod', 'en', ['can i pay cash to the courier?']),
  ...ask('ro-installments', 'ro', ['se poate plati in 6 rate?']),
  ...ask('en-payment-declined', 'en', ['why does my payment keep failing?']),
  ...ask('ro-charged-no-order', 'ro', ['mi s-a blocat suma pe card dar comanda nu s-a inregistrat']),
  ...ask('ro-store-hours', 'ro', ['ce program are showroomul?']),
  ...ask('en-store-hours', 'en', ['when is the showroom open?']),
  ...ask('ro-customer-service', 'ro', ['la ce ore va pot suna?']),
  ...ask('en-warranty', 'en', ['what does the guarantee cover?']),
  ...ask('ro-warranty-claim', 'ro', ['vreau sa fac o reclamatie, produsul s-a stricat']),
  ...ask('en-tracking', 'en', ['how can i follow my parcel?']),
  ...ask('ro-late-order', 'ro', ['coletul meu intarzie, ce sa fac?']),
  ...ask('en-cancel', 'en', ['please cancel order 12345']),
  ...ask('ro-modify-order', 'ro', ['pot modifica produsele din comanda?']),
  ...ask('en-wrong-item', 'en', ['you sent me the wrong size']),
  ...ask('en-damaged-parcel', 'en', ['the parcel was torn when the courier delivered it']),
  ...ask('ro-invoice', 'ro', ['unde gasesc factura fiscala?']),
  ...ask('en-company-invoice', 'en', ['can the invoice be issued to a company?']),
  ...ask('ro-size-guide', 'ro', ['nu stiu ce marime sa comand']),
  ...ask('en-shoe-size', 'en', ['should i take a bigger size in shoes?']),
  ...ask('ro-newsletter-discount', 'ro', ['ce reducere primesc la abonare?']),
  ...ask('en-code-not-working', 'en', ['coupon code not accepted at checkout']),
  ...ask('ro-loyalty', 'ro', ['cate puncte primesc la o comanda?']),
  ...ask('en-gift-card', 'en', ['how long is a gift card valid?']),
  ...ask('ro-forgot-password', 'ro', ['cum imi resetez parola?']),
  ...ask('en-delete-account', 'en', ['i want my account deleted']),
  ...ask('ro-guest', 'ro', ['pot cumpara fara cont?']),
  ...ask('ro-restock', 'ro', ['mai aveti in stoc marimea M?']),
  ...ask('en-care', 'en', ['can silk be machine washed?']),
  ...ask('doc-en-privacy', 'en', ['do you sell my data to other companies?']),
  ...ask('doc-ro-delivery', 'ro', ['ce firma de curierat folositi?']),
  ...ask('doc-en-returns', 'en', ['will you refund me if the item has stains?']),
  ...ask(null, 'ro', [
    'aveti reduceri la mobila?',
    'unde pot parca?',
    'merci, o zi buna!',
    'cat costa un iphone?',
    'ma puteti ajuta cu tema la mate?',
  ]),
  ...ask(null, 'en', [
    'do you sell furniture?',
    'what time is it in london?',
    'cheers',
    'who made you?',
    'do you repair watches?',
  ]),
]

export const KB_QUESTIONS: LabelledQuestion[] = [
  ...ANSWERABLE_QUESTIONS,
  ...UNANSWERABLE_QUESTIONS,
]

/** Whether `entryId` answers the question (false for an unanswerable one). */
export function isRightAnswer(question: LabelledQuestion, entryId: string): boolean {
  const { answer } = question
  if (answer === null)
    return false
  return Array.isArray(answer)
    ? answer.includes(entryId)
    : answer === entryId
}

// The filler: questions about the catalogue's products, which share the shop's vocabulary
// (sizes, colours, materials, washing, stock) so that a large knowledge base is not easier.

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same knowledge base. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const MODEL_NAMES = [
  'Ana',
  'Bianca',
  'Carmen',
  'Delia',
  'Elena',
  'Flavia',
  'Gina',
  'Irina',
  'Luca',
  'Milano',
  'Riviera',
  'Sofia',
  'Toscana',
  'Vera',
  'Zara',
  'Aurora',
  'Bella',
  'Corina',
  'Dora',
  'Livia',
  'Maia',
  'Nora',
  'Oana',
  'Petra',
  'Roma',
  'Siena',
  'Tara',
  'Venezia',
  'Alba',
  'Brasov',
]
const PRODUCTS_RO = [
  'rochia',
  'bluza',
  'cămașa',
  'fusta',
  'geaca',
  'paltonul',
  'puloverul',
  'tricoul',
  'sacoul',
  'cizmele',
  'ghetele',
  'sandalele',
  'pantofii',
  'geanta',
  'rucsacul',
  'eșarfa',
  'cureaua',
  'salopeta',
  'vesta',
  'pantalonii',
]
const PRODUCTS_EN = [
  'dress',
  'blouse',
  'shirt',
  'skirt',
  'jacket',
  'coat',
  'sweater',
  't-shirt',
  'blazer',
  'boots',
  'ankle boots',
  'sandals',
  'shoes',
  'bag',
  'backpack',
  'scarf',
  'belt',
  'jumpsuit',
  'waistcoat',
  'trousers',
]
const COLOURS_RO = [
  'negru',
  'alb',
  'roșu',
  'bleumarin',
  'verde',
  'bej',
  'gri',
  'maro',
  'roz',
  'galben',
  'bordo',
  'crem',
]
const COLOURS_EN = [
  'black',
  'white',
  'red',
  'navy',
  'green',
  'beige',
  'grey',
  'brown',
  'pink',
  'yellow',
  'burgundy',
  'cream',
]
const MATERIALS_RO = [
  'bumbac organic',
  'lână merinos',
  'in',
  'mătase naturală',
  'piele naturală',
  'piele ecologică',
  'vâscoză',
  'denim',
  'cașmir',
  'poliester reciclat',
]
const MATERIALS_EN = [
  'organic cotton',
  'merino wool',
  'linen',
  'silk',
  'leather',
  'vegan leather',
  'viscose',
  'denim',
  'cashmere',
  'recycled polyester',
]
const OCCASIONS_RO = [
  'birou',
  'nuntă',
  'plajă',
  'drumeție',
  'seară',
  'zi de zi',
  'sală',
]
const OCCASIONS_EN = [
  'the office',
  'a wedding',
  'the beach',
  'hiking',
  'an evening out',
  'every day',
  'the gym',
]
const SIZES = [
  'XS–XL',
  'S–XXL',
  '34–44',
  '36–42',
  '35–41',
  'mărime unică / one size',
]

function fillerEntry(i: number, random: () => number): KbDoc {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const name = `${pick(MODEL_NAMES)} ${100 + Math.floor(random() * 900)}`
  const p = Math.floor(random() * PRODUCTS_RO.length)
  const c = Math.floor(random() * COLOURS_RO.length)
  const m = Math.floor(random() * MATERIALS_RO.length)
  const o = Math.floor(random() * OCCASIONS_RO.length)
  const sizes = pick(SIZES)
  const degrees = pick([30, 30, 40, 0])
  const id = `filler-${i}`
  const ro = random() < 0.5
  const template = Math.floor(random() * 5)
  const productRo = `${PRODUCTS_RO[p]} ${name}`
  const productEn = `the ${name} ${PRODUCTS_EN[p]}`
  const washRo = degrees === 0
    ? 'se curăță doar chimic'
    : `se spală la maximum ${degrees} de grade`
  const washEn = degrees === 0
    ? 'is dry-clean only'
    : `can be washed at up to ${degrees} °C`
  if (template === 4 && random() < 0.2) {
    // now and then a product sheet (a document of a few paragraphs)
    return ro
      ? {
          id,
          kind: 'document',
          language: 'ro',
          title: `Fișa produsului: ${productRo}`,
          body: [
            `Modelul ${name} face parte din colecția de sezon și este realizat din ${MATERIALS_RO[m]}. Culoarea de bază este ${COLOURS_RO[c]}.`,
            `Mărimi disponibile: ${sizes}. Croiala este dreaptă; pentru o potrivire lejeră alege o mărime mai mare.`,
            `Întreținere: produsul ${washRo}. Nu se usucă în uscător și se calcă la temperatură mică.`,
          ].join('\n\n'),
        }
      : {
          id,
          kind: 'document',
          language: 'en',
          title: `Product sheet: ${productEn}`,
          body: [
            `The ${name} model is part of the season's collection and is made of ${MATERIALS_EN[m]}. Its base colour is ${COLOURS_EN[c]}.`,
            `Available sizes: ${sizes}. The cut is straight; for a looser fit choose one size up.`,
            `Care: the product ${washEn}. Do not tumble dry; iron at a low temperature.`,
          ].join('\n\n'),
        }
  }
  const templates: Array<[title: string, body: string]> = ro
    ? [
        [`Este ${productRo} disponibilă și în ${COLOURS_RO[c]}?`, `Da, ${productRo} se găsește în ${COLOURS_RO[c]} în mărimile ${sizes}, cât timp stocul permite.`],
        [`Din ce material este ${productRo}?`, `${productRo} este din ${MATERIALS_RO[m]}, cu finisaje cusute manual.`],
        [`Cum se întreține ${productRo}?`, `Produsul ${washRo}. Nu se usucă în uscător; se calcă pe dos, la temperatură mică.`],
        [`Ce mărimi are ${productRo}?`, `${productRo} este disponibil în mărimile ${sizes}. Croiala este ${pick(['dreaptă', 'lejeră', 'pe corp'])}.`],
        [`Este ${productRo} potrivit pentru ${OCCASIONS_RO[o]}?`, `Da, ${productRo} a fost gândit pentru ${OCCASIONS_RO[o]} și se asortează cu piese în ${COLOURS_RO[c]}.`],
      ]
    : [
        [`Is ${productEn} also available in ${COLOURS_EN[c]}?`, `Yes, ${productEn} comes in ${COLOURS_EN[c]} in sizes ${sizes}, while stock lasts.`],
        [`What is ${productEn} made of?`, `${productEn} is made of ${MATERIALS_EN[m]}, with hand-stitched finishes.`],
        [`How do I look after ${productEn}?`, `The product ${washEn}. Do not tumble dry; iron inside out at a low temperature.`],
        [`Which sizes does ${productEn} come in?`, `${productEn} comes in sizes ${sizes}. The fit is ${pick(['straight', 'relaxed', 'slim'])}.`],
        [`Is ${productEn} suitable for ${OCCASIONS_EN[o]}?`, `Yes, ${productEn} was designed for ${OCCASIONS_EN[o]} and goes well with ${COLOURS_EN[c]} pieces.`],
      ]
  const [title, body] = templates[template]!
  return {
    id,
    kind: 'qa',
    title,
    body,
    language: ro ? 'ro' : 'en',
  }
}

/** The real entries followed by filler up to `size` entries; the same seed gives the same entries. */
export function largeKb(size = 1000, seed = 20_260_101): KbDoc[] {
  const random = seededRandom(seed)
  const entries = [...KB_ENTRIES]
  for (let i = 0; entries.length < size; i++)
    entries.push(fillerEntry(i, random))
  return entries
}
