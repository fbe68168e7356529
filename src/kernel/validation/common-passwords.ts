/**
 * Embedded blocklist (NIST SP 800-63B §3.1.1.2: "passwords obtained from previous breach corpuses,
 * dictionary words, repetitive or sequential characters, context-specific words").
 * Entries are lower-case bases; the policy also refuses a base followed or preceded only by digits
 * and symbols ("Password123!", "!!qwerty2024"), so the list stays small and still bites.
 */
export const COMMON_PASSWORD_BASES: readonly string[] = [
  'password', 'passw0rd', 'p@ssword', 'p@ssw0rd', 'pa55word', 'passwort', 'motdepasse', 'contrasena', 'senha', 'parola',
  'qwerty', 'qwertyuiop', 'qwertyui', 'qwerty123', 'qwertz', 'azerty', 'asdfgh', 'asdfghjkl', 'asdf', 'zxcvbn', 'zxcvbnm',
  'qazwsx', 'qazwsxedc', '1qaz2wsx', '1q2w3e4r', '1q2w3e4r5t', '1q2w3e', 'q1w2e3r4', 'zaq12wsx', 'abc123', 'abcdef',
  'abcdefgh', 'abcdefghij', 'letmein', 'welcome', 'welcome1', 'iloveyou', 'iloveu', 'loveyou', 'lovely', 'monkey',
  'dragon', 'master', 'shadow', 'sunshine', 'princess', 'football', 'baseball', 'basketball', 'soccer', 'hockey',
  'superman', 'batman', 'spiderman', 'starwars', 'pokemon', 'naruto', 'michael', 'jennifer', 'jordan', 'charlie',
  'michelle', 'jessica', 'ashley', 'daniel', 'thomas', 'robert', 'hunter', 'ranger', 'buster', 'tigger', 'soccer',
  'harley', 'mustang', 'access', 'trustno1', 'whatever', 'freedom', 'secret', 'cheese', 'computer', 'internet',
  'administrator', 'admin', 'root', 'login', 'changeme', 'changeit', 'default', 'guest', 'test', 'testing', 'tester',
  'temp', 'temporary', 'user', 'username', 'demo', 'sample', 'example', 'letmein', 'opensesame', 'passpass',
  'mypassword', 'yourpassword', 'newpassword', 'oldpassword', 'nopassword', 'thisismypassword', 'passwordpassword',
  'iloveyouiloveyou', 'hello', 'helloworld', 'hellohello', 'goodbye', 'summer', 'winter', 'autumn', 'spring',
  'january', 'february', 'december', 'monday', 'friday', 'sunday', 'flower', 'chocolate', 'butterfly', 'purple',
  'orange', 'banana', 'apple', 'pepper', 'ginger', 'cookie', 'snoopy', 'matrix', 'killer', 'angel', 'angels',
  'blessed', 'jesus', 'jesuschrist', 'god', 'godisgood', 'lovelove', 'family', 'friends', 'forever', 'together',
  'money', 'dollar', 'million', 'billion', 'lucky', 'player', 'gamer', 'minecraft', 'fortnite', 'roblox', 'zelda',
  'liverpool', 'chelsea', 'arsenal', 'barcelona', 'realmadrid', 'juventus', 'manchester', 'yankees', 'cowboys',
  'eagles', 'lakers', 'london', 'paris', 'berlin', 'newyork', 'chicago', 'america', 'canada', 'australia',
  'computer', 'samsung', 'iphone', 'google', 'facebook', 'linkedin', 'twitter', 'youtube', 'microsoft', 'windows',
  'linux', 'ubuntu', 'oracle', 'mysql', 'postgres', 'database', 'server', 'security', 'letmeinplease', 'supersecret',
  'topsecret', 'secretpassword', 'qwertyqwerty', 'asdfasdf', 'zxcvzxcv', 'aaaaaa', 'abcabc', 'baseball1',
  'correcthorsebatterystaple', 'trustnoone', 'nothing', 'anything', 'something', 'everything', 'whatsup',
  // Leet and short keyboard bases ("P4ssw0rd2024", "qwer1234", "123qweasdzxc", "abc123456789").
  'p4ssw0rd', 'p4ssword', 'pa$$word', 'pa$$w0rd', 'pass', 'poiuytrewq', 'qwer', 'qwe', 'asd', 'zxc', 'abc', 'abcd', 'aa',
  'qweasd', 'qweasdzxc', 'qweqwe', 'asdasd', 'zxczxc', 'qwertyu', 'asdfghjk', 'azertyuiop', 'qwertzuiop', 'zaq1', 'zaq1zaq1',
  // "password" in more languages.
  'wachtwoord', 'salasana', 'haslo', 'heslo', 'jelszo', 'lozinka', 'parool', 'adgangskode', 'losenord', 'passord', 'sifre',
  // Frequent in breach corpora.
  'rockyou', 'babygirl', 'loveme', 'fuckyou', 'fuckoff', 'princesa', 'tequiero', 'teamo', 'superstar', 'silver', 'diamond',
  'ferrari', 'porsche', 'mercedes', 'samantha', 'victoria', 'elizabeth', 'alexander', 'benjamin', 'nicholas', 'jonathan',
  'madison', 'melissa', 'amanda', 'andrew', 'joshua', 'matthew', 'william', 'anthony', 'hannah', 'nicole', 'jasmine',
  'cowboy', 'dallas', 'rainbow', 'thunder', 'tiger', 'unicorn', 'wizard', 'zombie', 'mickey', 'monster', 'ninja', 'pussy',
  'sexy', 'hottie', 'bailey', 'maggie', 'buddy', 'myspace', 'blink', 'slipknot', 'metallica', 'nirvana', 'eminem',
  'harrypotter', 'hogwarts', 'gandalf', 'darthvader', 'skywalker', 'avengers', 'ironman', 'hellokitty', 'spongebob',
  'pikachu', 'dragonball', 'onepiece', 'ronaldo', 'messi', 'neymar', 'beckham', 'lebron',
]

/** Sequences that are "sequential characters" however they are cut. */
export const KEYBOARD_RUNS: readonly string[] = [
  '01234567890123456789', '98765432109876543210', 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba',
  'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn', 'qazwsxedcrfvtgbyhnujmikolp',
  'mnbvcxzlkjhgfdsapoiuytrewq', 'poiuytrewqlkjhgfdsamnbvcxz', 'azertyuiopqsdfghjklmwxcvbn', 'qwertzuiopasdfghjklyxcvbnm',
  '1q2w3e4r5t6y7u8i9o0p', 'q1w2e3r4t5y6u7i8o9p0', '1234567890qwertyuiop', '!@#$%^&*()_+',
]
